"""``connector.qbxml.prescan``: every limit refuses at the first chunk past it, and builds no
tree; ordinary documents (and a text node of tens of megabytes) pass."""

from __future__ import annotations

import tracemalloc

import pytest

from connector.qbxml.errors import XmlParseError, XmlSecurityError, XmlTooComplexError
from connector.qbxml.prescan import Prescan, PrescanLimits

LIMITS = PrescanLimits(max_elements=50, max_depth=8, max_markups=120, max_markup_chars=1024)


def scan(document: bytes, *, encoding: str = "utf-8", chunk: int = 7) -> Prescan:
    prescan = Prescan(encoding, LIMITS)
    for start in range(0, len(document), chunk):
        prescan.feed(document[start : start + chunk])
    prescan.close()
    return prescan


def test_an_ordinary_document_passes_and_its_top_elements_are_recorded() -> None:
    doc = b'<?xml version="1.0"?><a xmlns="urn:x"><b k="v > w"><c><d/></c></b><e/></a>'
    assert scan(doc).top == [(1, "{urn:x}a"), (2, "{urn:x}b"), (3, "{urn:x}c"), (2, "{urn:x}e")]


@pytest.mark.parametrize(
    ("document", "error"),
    [
        pytest.param(b"<a>" + b"<b/>" * 51 + b"</a>", XmlTooComplexError, id="too-many-elements"),
        pytest.param(b"<a>" * 9 + b"</a>" * 9, XmlTooComplexError, id="too-deep"),
        pytest.param(b"<a>" + b"<?p?>" * 200 + b"</a>", XmlTooComplexError, id="too-many-pis"),
        pytest.param(b"<a><!--" + b"x" * 2000 + b"--></a>", XmlTooComplexError, id="long-comment"),
        pytest.param(
            b"<a " + b" ".join(b'k%d="v"' % i for i in range(300)) + b"/>",
            XmlTooComplexError,
            id="many-attributes",
        ),
        pytest.param(
            b"<a " + b" ".join(b'k%d=">"' % i for i in range(300)) + b"/>",
            XmlTooComplexError,
            id="attributes-hiding-their-length-behind-quoted-gt",
        ),
        pytest.param(b'<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', XmlSecurityError, id="doctype"),
        pytest.param(b"<a><!ENTITY x 'y'></a>", XmlSecurityError, id="entity-declaration"),
        pytest.param(b"<a><b></a>", XmlParseError, id="not-well-formed"),
        pytest.param(b"<a>\xff\xfe</a>", XmlParseError, id="not-utf-8"),
        pytest.param(b"", XmlParseError, id="empty"),
    ],
)
def test_limits_and_refusals(document: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        scan(document)


def test_the_refusal_comes_at_the_first_chunk_past_the_limit() -> None:
    prescan = Prescan("utf-8", LIMITS)
    prescan.feed(b"<a>" + b"<b/>" * 40)
    with pytest.raises(XmlTooComplexError):
        prescan.feed(b"<b/>" * 20)


def test_a_text_node_of_30_mb_passes_in_bounded_memory() -> None:
    """receiveResponseXML's response is one escaped text node; it is never kept."""
    chunk = b"&lt;CustomerRet&gt;&lt;Name&gt;A &amp;amp; B&lt;/Name&gt;" * 1000
    prescan = Prescan("utf-8", LIMITS)
    tracemalloc.start()
    try:
        prescan.feed(b"<a><response>")
        for _ in range(30 * 1024 * 1024 // len(chunk)):
            prescan.feed(chunk)
        prescan.feed(b"</response></a>")
        prescan.close()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 * 1024 * 1024


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf_16_documents(codec: str) -> None:
    doc = '<?xml version="1.0" encoding="UTF-16"?><a><b k="é">ü</b></a>'.encode(codec)
    assert scan(doc, encoding=codec).top == [(1, "a"), (2, "b")]
