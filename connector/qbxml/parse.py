"""Streaming qbXML response parser: bytes in, ``MessageSet``/``ResponseStart``/``Record`` out.

Owns: reading a qbXML response (or the ``strHCPResponse`` document) through the safe door's
``iterparse`` and handing out, in document order, one ``MessageSet`` (attributes of
``QBXMLMsgsRs``, PROTOCOL.md 1.5), then per ``*Rs`` one ``ResponseStart`` (requestID, status,
iterator fields, retCount) followed by one ``Record`` per child (``*Ret``, ``ErrorRecovery``).
Only the message sets and the ``*Rs`` elements give parser events (issue 5: an event per
element cost more than reading the records); after each chunk the tree is read where it is
complete and the records read are removed, so memory stays flat however many records a response
holds. A record is handed out once the next one starts or its ``*Rs`` ends. Whatever surrounds
the first ``QBXMLMsgsRs`` is parsed and pruned; before the first reported element at most 1 MiB
is accepted (the tree gives no handle to prune before it: ``XmlTooLargeError`` beyond).
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
from functools import lru_cache

from lxml import etree

from connector.qbxml import safexml
from connector.qbxml.errors import QbxmlResponseError, QbxmlVersionError
from connector.qbxml.parse_values import RecordReader
from connector.qbxml.schema import SUPPORTED_VERSIONS, ContentModel, Schema
from connector.qbxml.values import Event, MessageSet, Record, ResponseStart, Status
from connector.qbxml.versions import QbxmlVersion

__all__ = ["DEFAULT_VERSION", "declared_version", "iter_events", "parse_response"]

DEFAULT_VERSION = "16.0"
_QBXML_MSGS = "QBXMLMsgsRs"
_POS_MSGS = "QBPOSXMLMsgsRs"  # QuickBooks POS: its own dialect, so no qbXML schema typing


@lru_cache(maxsize=1)
def _event_tags() -> tuple[str, ...]:
    """The elements the parser reports: the message sets and every ``*Rs`` (16.0 has all the
    older versions' responses). Elements inside records give no events: reading them from the
    tree is cheaper (issue 5). A ``*Rs`` the schema lacks ends when the next one starts."""
    names = (_QBXML_MSGS, _POS_MSGS, *Schema.for_version(DEFAULT_VERSION).responses())
    return tuple("{*}" + name for name in names)


# QBXMLMsgsRs starts in the first bytes of a response (after the prolog and QBXML, or a SOAP
# envelope's few elements); before the first reported element nothing can be pruned, so the door
# bounds that part.
_FIRST_WITHIN = 1 << 20
_INT = re.compile(r"\s*[+-]?[0-9]+\s*")


def iter_events(
    source: safexml.XmlSource,
    *,
    max_bytes: int = safexml.DEFAULT_MAX_BYTES,
    version: str | None = None,
) -> Iterator[Event]:
    """Stream the events of a qbXML response. Errors: ``connector.qbxml.errors.QbxmlError``.

    ``version`` (the negotiated qbXML version) picks the schema tables; without it the
    document's ``<?qbxml version?>`` does, else 16.0.
    """
    walker: _Walker | None = None
    root: etree._Element | None = None  # known from the first event, pruned until QBXMLMsgsRs
    batches = safexml.iterparse_batches(
        source, max_bytes=max_bytes, tag=_event_tags(), first_within=_FIRST_WITHIN
    )
    for batch in batches:
        for event, elem in batch:
            if walker is not None:
                walker.event(event, elem)
            elif event == "start" and _local(elem.tag) in (_QBXML_MSGS, _POS_MSGS):
                walker = _Walker(elem, _schema(version or declared_version(elem)))
                yield _message_set(elem)
            elif root is None:
                root = elem.getroottree().getroot()
        if walker is not None:
            yield from walker.ready()
        elif root is not None:
            _prune(root)
    if walker is None:
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
    """Reads the first ``QBXMLMsgsRs`` from the tree as its parts complete, and prunes it.

    The parser gives events for the message sets and ``*Rs`` only (``event`` notes which ended);
    after each chunk, ``ready`` hands out what the tree holds by then: a ``ResponseStart`` per
    new ``*Rs`` child, and each record (``*Ret`` child of a ``*Rs``) once it is complete, i.e.
    once its next sibling started or its ``*Rs`` ended. So a record followed by a break before
    its ``*Rs`` ends is not handed out (the caller stores nothing of a broken page anyway).
    """

    def __init__(self, msgs: etree._Element, schema: Schema) -> None:
        self.msgs = msgs
        self.root = msgs.getroottree().getroot()
        self.reader = RecordReader(None if _local(msgs.tag) == _POS_MSGS else schema)
        self.ended = False
        self.done = False
        self.closed: set[etree._Element] = set()  # ``*Rs`` whose end was parsed
        self.rs: etree._Element | None = None
        self.request_id: str | None = None
        self.rs_model: ContentModel | None = None
        self._ret_models: dict[str, ContentModel | None] = {}

    def event(self, event: str, elem: etree._Element) -> None:
        if event != "end":
            return
        if elem is self.msgs:
            self.ended = True
        elif elem.getparent() is self.msgs:
            self.closed.add(elem)

    def ready(self) -> Iterator[Event]:
        if self.done:
            _prune(self.root)  # whatever follows QBXMLMsgsRs is parsed, never kept
            return
        msgs = self.msgs
        while True:
            rs = self.rs
            if rs is None:
                rs = self.rs = _first_element(msgs)
                if rs is None:
                    break
                yield self._start(rs)
            complete = self.ended or rs in self.closed or rs.getnext() is not None
            yield from self._records(rs, complete)
            if not complete:
                return
            self.closed.discard(rs)
            msgs.remove(rs)
            self.rs = None
        if self.ended:
            self.done = True
            _prune(self.root)

    def _start(self, rs: etree._Element) -> ResponseStart:
        name = _local(rs.tag)
        self.rs_model = self.reader.model(name)
        self._ret_models = {}
        response = _response_start(name, rs)
        self.request_id = response.request_id
        return response

    def _records(self, rs: etree._Element, complete: bool) -> Iterator[Record]:
        children = list(rs)
        if not complete and children:
            children.pop()  # still being parsed
        models = self._ret_models
        for child in children:
            tag = child.tag
            if isinstance(tag, str):  # not a processing instruction
                name = tag if tag[0] != "{" else tag.rpartition("}")[2]
                if name not in models:
                    models[name] = self._record_model(name)
                data = self.reader.read(child, models[name])
                yield Record(ret=name, data=data, request_id=self.request_id)
            rs.remove(child)

    def _record_model(self, name: str) -> ContentModel | None:
        spec = self.rs_model.child(name) if self.rs_model is not None else None
        model = spec.content if spec is not None else self.reader.model(name)
        return model if isinstance(model, ContentModel) else None


def _first_element(parent: etree._Element) -> etree._Element | None:
    """The first child element; processing instructions before it are dropped."""
    for child in parent:
        if isinstance(child.tag, str):
            return child
        parent.remove(child)
    return None


def _prune(node: etree._Element) -> None:
    """Free all finished parts of the tree: at each level, every child but the last (open) one.

    Bounded by libxml2's depth limit (huge_tree off)."""
    while len(node):
        del node[:-1]
        node = node[-1]


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
