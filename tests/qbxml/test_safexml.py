"""The safe XML door: what it accepts, what it refuses, and how it reports."""

from __future__ import annotations

import io
import re

import pytest

from connector.qbxml import safexml
from connector.qbxml.errors import (
    QbxmlError,
    XmlParseError,
    XmlSecurityError,
    XmlTooLargeError,
)

DOC = b'<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><A x="1">t</A><!-- c --><B/></QBXML>'


def test_parse_document_returns_root_and_keeps_the_qbxml_pi() -> None:
    root = safexml.parse_document(DOC)
    assert root.tag == "QBXML"
    assert [child.tag for child in root] == ["A", "B"]  # comment dropped
    pi = root.getprevious()
    assert pi is not None and pi.target == "qbxml"  # type: ignore[attr-defined]
    assert pi.get("version") == "13.0"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(DOC, id="bytes"),
        pytest.param(bytearray(DOC), id="bytearray"),
        pytest.param(DOC.decode(), id="str"),
        pytest.param(io.BytesIO(DOC), id="binary-file"),
    ],
)
def test_every_source_kind_gives_the_same_events(source: object) -> None:
    events = [(event, elem.tag) for event, elem in safexml.iterparse(source)]  # type: ignore[arg-type]
    assert events == [
        ("start", "QBXML"),
        ("start", "A"),
        ("end", "A"),
        ("start", "B"),
        ("end", "B"),
        ("end", "QBXML"),
    ]


def test_iterparse_across_many_small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safexml, "CHUNK_SIZE", 3)
    body = "<R>" + "".join(f"<V>{i}é</V>" for i in range(50)) + "</R>"
    texts = [e.text for ev, e in safexml.iterparse(body.encode()) if ev == "end" and e.tag == "V"]
    assert texts == [f"{i}é" for i in range(50)]


def test_doctype_split_across_chunks_is_still_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safexml, "CHUNK_SIZE", 4)
    with pytest.raises(XmlSecurityError, match="DOCTYPE"):
        safexml.parse_document(b'<?xml version="1.0"?><!DOCTYPE a><a/>')


@pytest.mark.parametrize(
    ("data", "line", "column"),
    [
        pytest.param(b"<a><b></a>", 1, 11, id="tag-mismatch"),
        pytest.param(b"<a>\n  <b>&x;</b></a>", 2, 9, id="undefined-entity"),
        pytest.param(b"<a>", 1, 4, id="truncated"),
    ],
)
def test_parse_errors_carry_line_and_column(data: bytes, line: int, column: int) -> None:
    with pytest.raises(XmlParseError) as info:
        safexml.parse_document(data)
    assert (info.value.line, info.value.column) == (line, column)
    assert f"line {line}" in str(info.value)


def test_size_limit_counts_bytes_read_from_a_file() -> None:
    data = b"<a>" + b"x" * 1000 + b"</a>"
    assert safexml.parse_document(data, max_bytes=len(data)).text == "x" * 1000
    with pytest.raises(XmlTooLargeError) as info:
        safexml.parse_document(io.BytesIO(data), max_bytes=len(data) - 1)
    assert info.value.limit == len(data) - 1
    assert isinstance(info.value, XmlSecurityError)


def test_nonpositive_limit_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="max_bytes"):
        safexml.parse_document(b"<a/>", max_bytes=0)


def test_wrong_source_type_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        safexml.parse_document(42)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(
            '<?xml version="1.0" encoding="ISO-8859-1"?><a>é</a>'.encode("latin-1"), id="latin-1"
        ),
        pytest.param(
            '<?xml version="1.0" encoding="windows-1252"?><a>€</a>'.encode("cp1252"), id="cp1252"
        ),
        pytest.param(
            '<?xml version="1.0" encoding="UTF-16"?><a>€</a>'.encode("utf-16"), id="utf-16-bom"
        ),
        pytest.param('<?xml version="1.0"?><a>€</a>'.encode(), id="utf-8"),
    ],
)
def test_encodings_quickbooks_uses_are_accepted(data: bytes) -> None:
    assert safexml.parse_document(data).text in {"é", "€"}


def test_every_error_is_a_qbxml_error() -> None:
    for cls in (XmlParseError, XmlSecurityError, XmlTooLargeError):
        assert issubclass(cls, QbxmlError)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(b"<a><b><c>1</c><d>2", id="in-a-value"),
        pytest.param(b"<a><b><c>1</c><d>2</d></b", id="in-an-end-tag"),
        pytest.param(b"<a><b><c>1</c><d", id="in-a-start-tag"),
    ],
)
def test_a_document_cut_short_ends_no_element_it_did_not_close(text: bytes) -> None:
    """libxml2 ends every open element when a cut document fails at close; those ends are
    not handed out, so no consumer takes a half-read element for a whole one (issue 11)."""
    seen: list[tuple[str, str]] = []
    with pytest.raises(XmlParseError):
        for event, elem in safexml.iterparse(io.BytesIO(text)):
            seen.append((event, elem.tag))
    closed = [tag for event, tag in seen if event == "end"]
    assert closed == [tag.decode() for tag in re.findall(rb"</(\w+)>", text)]
