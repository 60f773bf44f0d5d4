"""Hostile input against the safe door and the parser: only documented errors, bounded cost.

No timing assertions: "bounded" is shown by what is read (the byte count stops at the limit)
and by peak memory (tracemalloc here, RSS of a child process for the 200 MB case).
"""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
import textwrap
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connector.qbxml import safexml
from connector.qbxml.errors import (
    QbxmlError,
    XmlParseError,
    XmlSecurityError,
    XmlTooLargeError,
)
from connector.qbxml.parse import iter_events, parse_response

LOL = '<!ENTITY lol0 "lollollollollollollollollollol">' + "".join(
    f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
)
DOORS: dict[str, Callable[[bytes], object]] = {
    "parse_document": safexml.parse_document,
    "iterparse": lambda data: list(safexml.iterparse(data)),
    "parse_response": parse_response,
}


def door_params() -> list[object]:
    return [pytest.param(door, id=name) for name, door in DOORS.items()]


SECURITY_CASES = [
    pytest.param(f"<!DOCTYPE a [{LOL}]><a>&lol9;</a>".encode(), id="billion-laughs"),
    pytest.param(f'<!DOCTYPE a [{LOL}]><a b="&lol9;"/>'.encode(), id="laughs-in-attribute"),
    pytest.param(
        b'<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>', id="xxe-file"
    ),
    pytest.param(
        b'<!DOCTYPE a [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p;]><a/>',
        id="xxe-parameter-entity",
    ),
    pytest.param(b'<!DOCTYPE a SYSTEM "http://127.0.0.1:9/a.dtd"><a/>', id="external-dtd"),
    pytest.param(b'<?xml version="1.0"?>\n<!DOCTYPE QBXML>\n<QBXML/>', id="bare-doctype"),
    pytest.param(
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'.encode(
            "utf-16"
        ),
        id="utf16-doctype",
    ),
    pytest.param(
        '<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'.encode("utf-16-be"), id="utf16be-no-bom"
    ),
]


@pytest.mark.parametrize("door", door_params())
@pytest.mark.parametrize("data", SECURITY_CASES)
def test_dtds_and_entities_are_refused(door: Callable[[bytes], object], data: bytes) -> None:
    with pytest.raises(XmlSecurityError, match="DOCTYPE"):
        door(data)


def test_passwd_never_leaks_even_as_text() -> None:
    data = b'<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>'
    with pytest.raises(XmlSecurityError) as info:
        safexml.parse_document(data)
    assert "root:" not in str(info.value)


NOT_XML = [
    pytest.param(b"\x00\x01\x02\x03\xff\xfe\xfd", id="binary"),
    pytest.param(b'{"QBXML": []}', id="json"),
    pytest.param(b"<html><body><p>unclosed</body></html>", id="html"),
    pytest.param(b"PK\x03\x04 zip", id="zip-magic"),
    pytest.param(b"<a>\x00</a>", id="nul-in-text"),
    pytest.param(b"   ", id="blank"),
    pytest.param(b"<a/><b/>", id="two-roots"),
    pytest.param(b"<a>" * 100_000, id="deep-nesting"),
]


@pytest.mark.parametrize("door", door_params())
@pytest.mark.parametrize("data", NOT_XML)
def test_bytes_that_are_not_xml(door: Callable[[bytes], object], data: bytes) -> None:
    with pytest.raises(XmlParseError) as info:
        door(data)
    assert info.value.line is not None


ENCODINGS = [
    pytest.param(
        '<?xml version="1.0" encoding="UTF-16"?><a>café</a>'.encode("latin-1"),
        id="utf16-declared-latin1-bytes",
    ),
    pytest.param(
        '<?xml version="1.0" encoding="UTF-8"?><a>café</a>'.encode("latin-1"),
        id="utf8-declared-latin1-bytes",
    ),
    pytest.param(b'<?xml version="1.0" encoding="EBCDIC-US"?><a/>', id="unknown-encoding"),
    pytest.param(
        '<?xml version="1.0" encoding="ISO-8859-5"?><a>ж</a>'.encode("iso-8859-5"),
        id="cyrillic-not-allowed",
    ),
    pytest.param(
        '<?xml version="1.0" encoding="UTF-32"?><a/>'.encode("utf-32"), id="utf32-not-allowed"
    ),
    pytest.param(
        '<?xml version="1.0" encoding="UTF-8"?><a>x</a>'.encode("utf-16-le"),
        id="utf16-bytes-declared-utf8",
    ),
    pytest.param(b"<a>\xc3\x28</a>", id="invalid-utf8-sequence"),
    pytest.param(b'<?xml version="1.0" encoding="UTF-16"?><a/>', id="utf16-declared-ascii-bytes"),
]


@pytest.mark.parametrize("door", door_params())
@pytest.mark.parametrize("data", ENCODINGS)
def test_wrong_or_unsupported_encodings(door: Callable[[bytes], object], data: bytes) -> None:
    with pytest.raises(XmlParseError):
        door(data)


HEAD = (
    b'<?xml version="1.0" ?><QBXML><QBXMLMsgsRs>'
    b'<CustomerQueryRs requestID="1" statusCode="0" statusSeverity="Info">'
)


def test_huge_text_node_below_the_byte_limit_is_refused() -> None:
    # libxml2's own 10 MB text-node limit stays on (huge_tree=False).
    data = HEAD + b"<CustomerRet><Name>" + b"x" * 11_000_000 + b"</Name></CustomerRet>"
    with pytest.raises(XmlParseError):
        parse_response(data)


def two_hundred_megabytes(counter: list[int]) -> Iterator[bytes]:
    """A 200 MB response: a few real records, then comment padding (comments are parsed and
    dropped, so neither libxml2's text limit nor the tree stops it: only the byte limit)."""
    yield HEAD + b"<CustomerRet><ListID>1</ListID><Balance>1.00</Balance></CustomerRet>" * 100
    pad = b"<!--" + b"p" * (1 << 20) + b"-->"
    for _ in range(200):
        counter[0] += 1
        yield pad


class GeneratorFile(io.RawIOBase):
    def __init__(self, parts: Iterator[bytes]) -> None:
        self._parts = parts
        self._buffer = b""
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        while len(self._buffer) < size:
            part = next(self._parts, None)
            if part is None:
                break
            self._buffer += part
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        self.bytes_read += len(out)
        return out


def test_200mb_response_stops_at_the_limit_in_bounded_memory() -> None:
    counter = [0]
    source = GeneratorFile(two_hundred_megabytes(counter))
    seen: list[object] = []
    tracemalloc.start()
    try:
        with pytest.raises(XmlTooLargeError) as info:
            for event in iter_events(source):
                seen.append(event)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.value.limit == safexml.DEFAULT_MAX_BYTES
    # Reading stopped at the limit (one chunk past it at most), far from 200 MB ...
    assert source.bytes_read <= safexml.DEFAULT_MAX_BYTES + safexml.CHUNK_SIZE
    assert counter[0] < 100
    # ... the records before it were streamed, and Python-side memory stayed small.
    assert len(seen) == 102
    assert peak < 16 * 1024 * 1024


def test_200mb_response_rss_of_a_child_process() -> None:
    # RSS counts libxml2's C memory too, which tracemalloc cannot see.
    code = textwrap.dedent(
        """
        import resource, sys
        sys.path.insert(0, {here!r})
        from tests.qbxml.test_hostile import GeneratorFile, two_hundred_megabytes
        from connector.qbxml.errors import XmlTooLargeError
        from connector.qbxml.parse import iter_events, parse_response
        parse_response(b'<QBXML><QBXMLMsgsRs/></QBXML>')  # warm up: schema tables loaded
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        try:
            for _ in iter_events(GeneratorFile(two_hundred_megabytes([0]))):
                pass
        except XmlTooLargeError:
            after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            print(before, after)
        """
    ).format(here=str(Path(__file__).resolve().parents[2]))
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    before, after = (int(x) for x in out)  # KiB
    assert after - before < 48 * 1024, f"RSS grew by {(after - before) // 1024} MiB"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_arbitrary_bytes_raise_only_documented_errors(data: bytes) -> None:
    for door in DOORS.values():
        with contextlib.suppress(QbxmlError):
            door(data)


VALID = (
    b'<?xml version="1.0" ?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRs>'
    b'<CustomerQueryRs requestID="1" statusCode="0" statusSeverity="Info" '
    b'iteratorRemainingCount="1"><CustomerRet><ListID>1</ListID>'
    b"<TimeCreated>2009-01-23T03:00:02-05:00</TimeCreated><IsActive>true</IsActive>"
    b"<Sublevel>0</Sublevel><Balance>1.00</Balance></CustomerRet></CustomerQueryRs>"
    b"</QBXMLMsgsRs></QBXML>"
)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=0, max_value=len(VALID)),
    st.integers(min_value=0, max_value=40),
    st.binary(max_size=40),
)
def test_mutated_responses_raise_only_documented_errors(
    position: int, cut: int, insert: bytes
) -> None:
    data = VALID[:position] + insert + VALID[position + cut :]
    with contextlib.suppress(QbxmlError):
        parse_response(data)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_raises_only_documented_errors(text: str) -> None:
    with contextlib.suppress(QbxmlError):
        parse_response(text)
