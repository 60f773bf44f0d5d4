"""A streaming pre-check of untrusted XML that builds no tree (issue 18 item 1).

Owns: bounding what a document can cost before anything parses it into a tree. Fed chunk by
chunk as the bytes arrive, ``Prescan`` refuses, as soon as the limit is crossed:

- more elements than ``max_elements`` or nesting deeper than ``max_depth`` (counted by a
  tree-less libxml2 parser from ``safexml.event_parser``, which also checks well-formedness);
- more markup constructs (tags, comments, processing instructions, CDATA sections) than
  ``max_markups``, or a single one longer than ``max_markup_chars`` (a start tag with a
  million attributes, a comment of megabytes): libxml2 holds a construct whole until its
  ``>`` and lxml hands a start tag's attributes over as one dict, so their size is bounded
  here, by a scan of the decoded text that only looks for ``<``, ``>`` and quotes;
- any ``<!`` declaration but a comment or CDATA (DOCTYPE, ENTITY): no DTDs, no entities.

It records the elements down to ``record_depth`` (depth, ``{namespace}name``) so a caller can
recognise an envelope's shape while it is still arriving. Text is never kept: a 60 MB text
node costs one chunk. The caller decides the encoding (``connector.qbwc.server.soap_encoding`` for
SOAP) and passes a Python codec name; the bytes must decode with it strictly.
Must not: know SOAP or qbXML, read sockets (chunks are passed in) or keep the document.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from lxml import etree

from connector.qbxml import safexml
from connector.qbxml.errors import XmlParseError, XmlSecurityError, XmlTooComplexError

__all__ = ["Prescan", "PrescanLimits"]


@dataclass(frozen=True)
class PrescanLimits:
    max_elements: int = 1000
    max_depth: int = 32
    max_markups: int = 2000
    max_markup_chars: int = 64 * 1024
    record_depth: int = 3


# The rest of a start/end tag: anything but '>' and quotes, or a whole quoted value.
_TAG_REST = re.compile(r"""(?:[^>"']++|"[^"]*+"|'[^']*+')*+""")
_ALLOWED_DECLARATIONS = ("<!--", "<![CDATA[")
_HEAD = max(len(prefix) for prefix in _ALLOWED_DECLARATIONS)


class _Markup:
    """Counts markup constructs in decoded text and bounds each one's length."""

    def __init__(self, limits: PrescanLimits) -> None:
        self.limits = limits
        self.count = 0
        self.inside = False
        self.length = 0
        self.head = ""
        self.quote = ""

    def feed(self, text: str) -> None:
        pos = 0
        while pos < len(text):
            if not self.inside:
                start = text.find("<", pos)
                if start < 0:
                    return
                self._open()
                pos = start
            end = self._scan(text, pos)
            self.length += (len(text) if end < 0 else end) - pos
            if self.length > self.limits.max_markup_chars:
                raise XmlTooComplexError(
                    f"a tag, comment or other markup is longer than "
                    f"{self.limits.max_markup_chars} characters"
                )
            if end < 0:
                return
            self.inside = False
            pos = end

    def _open(self) -> None:
        self.count += 1
        if self.count > self.limits.max_markups:
            raise XmlTooComplexError(f"more than {self.limits.max_markups} markup constructs")
        self.inside, self.length, self.head, self.quote = True, 0, "", ""

    def _scan(self, text: str, pos: int) -> int:
        """Index just past the construct's '>' in ``text``, or -1 when it goes on."""
        if len(self.head) < _HEAD:
            self.head += text[pos : pos + _HEAD - len(self.head)]
            self._check_declaration()
        if self.head.startswith(("<!", "<?")):
            # Comments, CDATA and PIs end at their first '>' here: a '>' inside one only
            # splits it into shorter pieces, so the bound on length still holds.
            end = text.find(">", pos + 1)
            return -1 if end < 0 else end + 1
        if self.quote:
            close = text.find(self.quote, pos)
            if close < 0:
                return -1
            self.quote, pos = "", close + 1
        elif text.startswith("<", pos):
            pos += 1
        match = _TAG_REST.match(text, pos)
        end = match.end() if match else pos
        if end < len(text) and text[end] == ">":
            return end + 1
        if end < len(text):  # an opening quote whose value goes on in the next chunk
            self.quote = text[end]
        return -1

    def _check_declaration(self) -> None:
        head = self.head
        if not head.startswith("<!") or len(head) < 3:
            return
        if any(p.startswith(head) or head.startswith(p) for p in _ALLOWED_DECLARATIONS):
            return
        raise XmlSecurityError("DOCTYPE and other declarations are not allowed (no DTDs)")


class _Elements:
    """The tree-less parser's target: counts elements and depth, records the top ones."""

    def __init__(self, limits: PrescanLimits) -> None:
        self.limits = limits
        self.count = 0
        self.depth = 0
        self.top: list[tuple[int, str]] = []

    def start(self, tag: str, attrib: object) -> None:
        self.count += 1
        self.depth += 1
        if self.count > self.limits.max_elements:
            raise XmlTooComplexError(f"more than {self.limits.max_elements} elements")
        if self.depth > self.limits.max_depth:
            raise XmlTooComplexError(f"elements nested deeper than {self.limits.max_depth}")
        if self.depth <= self.limits.record_depth:
            self.top.append((self.depth, tag))

    def end(self, tag: str) -> None:
        self.depth -= 1

    def doctype(self, *args: object) -> None:
        raise XmlSecurityError("DOCTYPE declarations are not allowed (no DTDs, no entities)")

    def close(self) -> None:
        return None


class Prescan:
    """Feed it the bytes as they arrive, then ``close()``; every method raises
    ``XmlParseError``/``XmlSecurityError`` (``XmlTooComplexError``) on the first problem."""

    def __init__(self, encoding: str, limits: PrescanLimits | None = None) -> None:
        self.limits = limits or PrescanLimits()
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        self._markup = _Markup(self.limits)
        self._elements = _Elements(self.limits)
        self._parser = safexml.event_parser(self._elements, _libxml2_name(encoding))
        self.fed = 0

    @property
    def top(self) -> list[tuple[int, str]]:
        """``(depth, "{namespace}name")`` of the elements seen so far down to record_depth."""
        return self._elements.top

    def feed(self, chunk: bytes) -> None:
        self.fed += len(chunk)
        self._markup.feed(self._decode(chunk, final=False))
        self._feed_parser(chunk)

    def close(self) -> None:
        if self.fed == 0:
            raise XmlParseError("the document is empty (no bytes at all)", line=1, column=1)
        self._markup.feed(self._decode(b"", final=True))
        try:
            self._parser.close()
        except etree.XMLSyntaxError as exc:
            raise _parse_error(exc) from None

    def _decode(self, chunk: bytes, *, final: bool) -> str:
        try:
            return str(self._decoder.decode(chunk, final))
        except UnicodeDecodeError as exc:
            raise XmlParseError(f"the bytes are not valid {exc.encoding}: {exc.reason}") from None

    def _feed_parser(self, chunk: bytes) -> None:
        try:
            self._parser.feed(chunk)
        except etree.XMLSyntaxError as exc:
            raise _parse_error(exc) from None


def _libxml2_name(encoding: str) -> str:
    # libxml2 reads a UTF-16 byte order mark itself with plain "UTF-16"; the BOM-less forms
    # need their byte order named.
    return {
        "utf-8": "UTF-8",
        "utf-16": "UTF-16",
        "utf-16-le": "UTF-16LE",
        "utf-16-be": "UTF-16BE",
    }.get(codecs.lookup(encoding).name, encoding)


def _parse_error(exc: etree.XMLSyntaxError) -> XmlParseError:
    line, column = exc.position
    return XmlParseError(exc.msg or "not well-formed XML", line=line or None, column=column or None)
