"""A long response text kept on disk (``text_spool``) and a body's bytes kept to be replayed
(``soap_read``): each gives back exactly what was written, however it was cut."""

from __future__ import annotations

import itertools
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connector.qbwc.server.soap_page import PageText
from connector.qbwc.server.soap_read import ReadBody
from connector.qbwc.server.text_spool import TextSpool, head, slices, whole, xml_source
from connector.qbxml.parse import iter_events
from connector.qbxml.values import Record

PIECES = st.lists(st.text(alphabet=st.sampled_from("ab <&\n\t\u00e9\u20ac\U0001f600")), max_size=12)


def _spool(pieces: list[str], in_memory: int) -> TextSpool:
    spool = TextSpool(in_memory)
    for piece in pieces:
        spool.write(piece)
    return spool


@settings(max_examples=150, deadline=None)
@given(pieces=PIECES, in_memory=st.sampled_from([1, 5, 1 << 20]), size=st.integers(1, 9))
def test_a_spool_gives_back_its_text_however_it_is_read(
    pieces: list[str], in_memory: int, size: int
) -> None:
    text = "".join(pieces)
    with _spool(pieces, in_memory) as spool:
        assert len(spool) == len(text)
        assert spool.isspace() == text.isspace()
        assert whole(spool) == text
        assert "".join(slices(spool, size)) == text
        for chars in (0, 1, size, len(text), len(text) + 3):
            assert head(spool, chars) == text[:chars]
        one, two = spool.reader(), spool.reader()  # readers keep their own positions
        got_one, got_two = [], []
        while True:
            a, b = one.read(size), two.read(size + 1)
            got_one.append(a)
            got_two.append(b)
            if not a and not b:
                break
        assert "".join(got_one) == "".join(got_two) == text
        assert one.read() == ""


@given(text=st.text(max_size=30), size=st.integers(1, 7))
def test_the_helpers_treat_a_string_as_the_spool_of_it(text: str, size: int) -> None:
    assert whole(text) == text
    assert "".join(slices(text, size)) == text
    assert head(text, size) == text[:size]
    assert xml_source(text) is text


def test_a_spool_past_its_memory_is_a_file_removed_when_closed() -> None:
    spool = _spool(["x" * 100, "\u20ac" * 100], 64)
    assert spool._file._rolled  # type: ignore[attr-defined]  # on disk now
    spool._file.flush()
    name = spool._file.fileno()
    assert os.fstat(name).st_size == 100 + 300  # UTF-8
    spool.close()
    with pytest.raises(OSError):
        os.fstat(name)


def test_the_parser_reads_a_spool_as_it_reads_the_string() -> None:
    """The spool holds UTF-8 whatever the text declares: it is read as the string is."""
    text = (
        '<?xml version="1.0" encoding="windows-1252"?><QBXML><QBXMLMsgsRs>'
        '<CustomerQueryRs requestID="1" statusCode="0" statusSeverity="Info" statusMessage="ok">'
        "<CustomerRet><ListID>1-1</ListID><Name>Caf\u00e9 \u20ac \U0001f600</Name></CustomerRet>"
        "</CustomerQueryRs></QBXMLMsgsRs></QBXML>"
    )
    with _spool([text[i : i + 7] for i in range(0, len(text), 7)], 16) as spool:
        spooled = [e for e in iter_events(xml_source(spool)) if isinstance(e, Record)]
    direct = [e for e in iter_events(text) if isinstance(e, Record)]
    assert spooled == direct and direct[0].data["Name"] == "Caf\u00e9 \u20ac \U0001f600"


@settings(max_examples=100, deadline=None)
@given(raw=st.lists(st.binary(max_size=40), max_size=10), in_memory=st.sampled_from([0, 30, 10**6]))
def test_a_read_body_replays_its_messages_exactly(raw: list[bytes], in_memory: int) -> None:
    messages = [
        {"type": "http.request", "body": body, "more_body": i < len(raw) - 1}
        for i, body in enumerate(raw)
    ]
    messages.append({"type": "http.disconnect"})
    read = ReadBody(in_memory)
    for message in messages:
        read.append(message)
    assert list(read.messages()) == messages
    spilled = read._file is not None
    assert spilled == (sum(map(len, raw)) > in_memory)
    read.close()
    assert list(read.messages()) == []


def test_a_page_text_past_its_memory_is_given_as_a_spool() -> None:
    raw = ("&lt;a&gt;\u00e9 &amp; \u20ac&quot;" * 50).encode()
    expected = '<a>\u00e9 & \u20ac"' * 50
    for step, in_memory in itertools.product((1, 3, 64), (10, 1 << 20)):
        reader = PageText(in_memory)
        assert all(reader.feed(raw[i : i + step]) for i in range(0, len(raw), step))
        assert reader.finish()
        text = reader.text()
        if in_memory == 10:
            assert isinstance(text, TextSpool)
            assert whole(text) == expected
            text.close()
        else:
            assert text == expected


def test_a_refused_page_text_removes_its_spool() -> None:
    reader = PageText(4)
    assert reader.feed(b"plenty of text, past four characters")
    spool = reader._spool
    assert spool is not None
    assert not reader.feed(b"]]>")  # refused: its spool goes
    assert reader._spool is None and spool._file.closed
