"""Streaming qbXML response parser: bytes in, ``MessageSet``/``ResponseStart``/``Record`` out.

Owns: reading a qbXML response (or the ``strHCPResponse`` document) through the safe door's
``iterparse`` and handing out, in document order, one ``MessageSet`` (attributes of
``QBXMLMsgsRs``, PROTOCOL.md 1.5), then per ``*Rs`` one ``ResponseStart`` (requestID, status,
iterator fields, retCount) followed by one ``Record`` per child (``*Ret``, ``ErrorRecovery``).
A ``ReportRet`` is read by ``reports.read_report_ret`` (its values are attributes), its
rows one by one as they end (``reports.ReportRows``): a report is one record of any size.
Each finished record (and report row) is cleared from the tree and its earlier siblings
deleted, so memory stays flat however many records a response holds.
Must not: do I/O of its own, decide what a status means (``status``), unwrap SOAP.

Leaves are typed (``parse_values``) by the schema tables of the qbXML version the caller
names (the negotiated one), else the document's ``<?qbxml version="X.Y"?>``, else 16.0 (also
for versions older than 13.0 or unknown); elements the tables lack get a documented name-based
guess. QuickBooks POS documents (``QBPOSXML``, no qbXML schema: guesses only) and qbXML inside
a SOAP envelope are read the same way, by local names.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from connector.qbxml import safexml
from connector.qbxml.errors import QbxmlResponseError, QbxmlVersionError
from connector.qbxml.parse_values import RecordReader
from connector.qbxml.reports import ReportRows, RowSink, read_report_ret
from connector.qbxml.schema import SUPPORTED_VERSIONS, ContentModel, Schema
from connector.qbxml.values import Event, MessageSet, Record, ResponseStart, Status
from connector.qbxml.versions import QbxmlVersion

__all__ = ["DEFAULT_VERSION", "declared_version", "iter_events", "parse_response"]

DEFAULT_VERSION = "16.0"
_QBXML_MSGS = "QBXMLMsgsRs"
_POS_MSGS = "QBPOSXMLMsgsRs"  # QuickBooks POS: its own dialect, so no qbXML schema typing
_FAR = 1 << 30
_INT = re.compile(r"\s*[+-]?[0-9]+\s*")


def iter_events(
    source: safexml.XmlSource,
    *,
    max_bytes: int = safexml.DEFAULT_MAX_BYTES,
    version: str | None = None,
    report_rows: RowSink | None = None,
) -> Iterator[Event]:
    """Stream the events of a qbXML response. Errors: ``connector.qbxml.errors.QbxmlError``.

    ``version`` (the negotiated qbXML version) picks the schema tables; without it the
    document's ``<?qbxml version?>`` does, else 16.0. ``report_rows``: a report's rows go
    to it as they are read, and its ``ReportRet`` record comes with no ``Rows``.
    """
    walker: _Walker | None = None
    depth = 0
    records = _FAR  # depth of the ``*Ret`` elements once ``QBXMLMsgsRs`` is found
    rows = _FAR  # depth of a report's rows while a ``ReportRet`` is open
    for batch in safexml.iterparse_batches(source, max_bytes=max_bytes):
        for event, elem in batch:
            if event == "start":
                depth += 1
                if depth > records:
                    continue  # inside a record: read in one pass when the record ends
                if walker is None:
                    walker = _Walker(_schema(version or declared_version(elem)), report_rows)
                response = walker.start(elem, depth)
                records = walker.records
                rows = records + 2 if walker.report is not None else _FAR
                if response is not None:
                    yield response
            else:
                if depth <= records and walker is not None:
                    record = walker.end(elem, depth)
                    records, rows = walker.records, _FAR
                    if record is not None:
                        yield record
                elif depth == rows and walker is not None:  # rows: set while a report is open
                    walker.row_ended(elem)
                depth -= 1
    if walker is None or not walker.seen:
        raise QbxmlResponseError("no QBXMLMsgsRs element: this is not a qbXML response")


def parse_response(
    source: safexml.XmlSource,
    *,
    max_bytes: int = safexml.DEFAULT_MAX_BYTES,
    version: str | None = None,
) -> list[Event]:
    """All events of a (small) response as a list."""
    return list(iter_events(source, max_bytes=max_bytes, version=version))


def declared_version(elem: etree._Element) -> str | None:
    """The ``version`` of the ``<?qbxml ...?>`` instruction before the root of ``elem``'s tree."""
    node = elem.getroottree().getroot().getprevious()
    while node is not None:
        if isinstance(node, etree._ProcessingInstruction) and node.target == "qbxml":
            value = node.get("version")
            return value.strip() if value else None
        node = node.getprevious()
    return None


def _schema(version: str | None) -> Schema:
    try:
        parsed = QbxmlVersion.parse(version) if version else None
    except QbxmlVersionError:
        parsed = None
    number = f"{parsed.major}.{parsed.minor}" if parsed else DEFAULT_VERSION
    return Schema.for_version(number if number in SUPPORTED_VERSIONS else DEFAULT_VERSION)


class _Walker:
    """Turns start/end events into qbXML events; knows where ``QBXMLMsgsRs`` sits.

    Events inside a record are skipped (the hot path in ``iter_events``); this class sees the
    others, and reads each record in one pass when it ends. ``records`` is the depth of the
    records (``*Ret``), or far away until ``QBXMLMsgsRs`` is found.
    """

    def __init__(self, schema: Schema, report_rows: RowSink | None = None) -> None:
        self.reader = RecordReader(schema)
        self._report_rows = report_rows
        self.msgs_depth = _FAR
        self.records = _FAR
        self.seen = False
        self.rs_model: ContentModel | None = None
        self.request_id: str | None = None
        self.ret_name = ""
        self.ret_model: ContentModel | None = None
        self._ret_models: dict[str, ContentModel | None] = {}
        self.report: ReportRows | None = None
        """The rows of the ``ReportRet`` being read, while one is."""

    def start(self, elem: etree._Element, depth: int) -> Event | None:
        if depth == self.records:  # a record starts (the most frequent case here)
            self.ret_name = name = _local(elem.tag)
            if name not in self._ret_models:
                self._ret_models[name] = self._record_model(name)
            self.ret_model = self._ret_models[name]
            self.report = ReportRows(self._report_rows) if name == "ReportRet" else None
        elif depth == self.msgs_depth + 1:
            name = _local(elem.tag)
            self.rs_model = self.reader.model(name)
            self._ret_models = {}
            response = _response_start(name, elem)
            self.request_id = response.request_id
            return response
        elif not self.seen:
            name = _local(elem.tag)
            if name in (_QBXML_MSGS, _POS_MSGS):
                self.seen = True
                self.msgs_depth, self.records = depth, depth + 2
                if name == _POS_MSGS:
                    self.reader.schema = None
                return _message_set(elem)
        return None

    def end(self, elem: etree._Element, depth: int) -> Record | None:
        record = None
        if depth == self.records:
            if self.ret_name == "ReportRet":  # values in attributes: its own reader
                data = read_report_ret(elem, self.report)
                self.report = None
            else:
                data = self.reader.read(elem, self.ret_model)
            record = Record(ret=self.ret_name, data=data, request_id=self.request_id)
        elif depth == self.msgs_depth:
            self.msgs_depth = self.records = _FAR  # only the first QBXMLMsgsRs is read
        _forget(elem)
        return record

    def row_ended(self, elem: etree._Element) -> None:
        """An element two levels inside the open ``ReportRet`` ended: a row is read now and
        freed (``ReportRows``), anything else waits for the record's end."""
        if self.report is not None and self.report.ended(elem):
            _forget(elem)

    def _record_model(self, name: str) -> ContentModel | None:
        spec = self.rs_model.child(name) if self.rs_model is not None else None
        model = spec.content if spec is not None else self.reader.model(name)
        return model if isinstance(model, ContentModel) else None


def _forget(elem: etree._Element) -> None:
    """Free a finished element and its earlier siblings (the streaming memory bound)."""
    elem.clear()
    parent = elem.getparent()
    if parent is not None:
        while elem.getprevious() is not None:
            del parent[0]


def _message_set(elem: etree._Element) -> MessageSet:
    code = _int_attr(elem, "messageSetStatusCode")
    status = None
    if code is not None:
        # QBXMLMsgsRs carries only the code (qbxmlops*.xsd); severity follows the documented
        # ranges (PROTOCOL.md 1.9).
        severity = "Info" if code < 500 else "Warn" if code < 1000 else "Error"
        status = Status(code, severity, "")
    return MessageSet(new_message_set_id=elem.get("newMessageSetID"), message_set_status=status)


def _response_start(name: str, elem: etree._Element) -> ResponseStart:
    code = _int_attr(elem, "statusCode")
    if code is None:
        raise QbxmlResponseError(f"{name} has no statusCode", line=_line(elem))
    status = Status(code, elem.get("statusSeverity") or "", elem.get("statusMessage") or "")
    return ResponseStart(
        name=name,
        request_id=elem.get("requestID"),
        status=status,
        iterator_remaining=_int_attr(elem, "iteratorRemainingCount"),
        iterator_id=elem.get("iteratorID"),
        ret_count=_int_attr(elem, "retCount"),
    )


def _int_attr(elem: etree._Element, name: str) -> int | None:
    text = elem.get(name)
    if text is None or text.strip() == "":
        return None
    if not _INT.fullmatch(text):
        raise QbxmlResponseError(
            f"{_local(elem.tag)} attribute {name}={text!r} is not an integer", line=_line(elem)
        )
    return int(text)


def _line(elem: etree._Element) -> int | None:
    line: object = elem.sourceline
    return line if isinstance(line, int) else None


def _local(tag: object) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2] if tag[:1] == "{" else tag
