"""``Behind.head``: a page's first ``*Rs`` read from its first lines, the whole page only
when they do not hold it."""

from __future__ import annotations

from collections.abc import Iterator

from connector.qbxml.values import Event, ResponseStart
from connector.sync.behind import _HEAD_CHARS, Behind, parse_events

RET = "<CustomerRet><ListID>{n}</ListID><Name>Customer {n}</Name></CustomerRet>"


def _page(status_message: str = "Status OK", records: int = 400) -> str:
    rets = "".join(RET.format(n=n) for n in range(records))
    return (
        '<?xml version="1.0"?><?qbxml version="16.0"?><QBXML><QBXMLMsgsRs>'
        '<CustomerQueryRs requestID="7" statusCode="0" statusSeverity="Info" '
        f'statusMessage="{status_message}" iteratorRemainingCount="12" '
        f'iteratorID="{{abc}}">{rets}</CustomerQueryRs></QBXMLMsgsRs></QBXML>'
    )


def _whole(text: str) -> ResponseStart:
    return next(e for e in parse_events(text, "16.0") if isinstance(e, ResponseStart))


def test_the_head_of_a_long_page_is_read_from_its_first_lines() -> None:
    parsed: list[int] = []

    def counting(text: str, version: str) -> Iterator[Event]:
        parsed.append(len(text))
        return parse_events(text, version)

    behind = Behind(object(), counting, object())  # type: ignore[arg-type]
    page = _page()
    assert len(page) > 4 * _HEAD_CHARS
    head = behind.head(page, "16.0")
    assert head == _whole(page)
    assert head is not None and head.iterator_remaining == 12
    assert parsed == [_HEAD_CHARS]


def test_a_head_past_the_first_lines_is_read_from_the_whole_page() -> None:
    page = _page(status_message="x" * (2 * _HEAD_CHARS))
    behind = Behind(object(), parse_events, object())  # type: ignore[arg-type]
    assert behind.head(page, "16.0") == _whole(page)


def test_an_unreadable_page_has_no_head() -> None:
    behind = Behind(object(), parse_events, object())  # type: ignore[arg-type]
    assert behind.head("<QBXML><QBXMLMsgsRs><CustomerQueryRs", "16.0") is None
    assert behind.head("not xml" * 1000, "16.0") is None
