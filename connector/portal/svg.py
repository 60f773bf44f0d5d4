"""Logo files: checking a PNG and sanitising an SVG, purely.

Owns: what an uploaded logo may contain. A PNG must be a PNG (signature and IHDR) of sane
dimensions. An SVG is parsed through the one safe XML door (``connector.qbxml.safexml``: no
DOCTYPE, so no entities or external DTDs) and refused, not silently cleaned, when it holds
anything that could run or fetch: ``script`` or ``foreignObject`` elements, any element off
the drawing allow-list, ``on*`` event attributes, links other than ``#fragment`` ones,
``javascript:`` or external ``url(...)`` values, ``@import`` in styles, processing
instructions. What passes is written out again from the parsed tree (comments dropped).
Pages serve the logo with ``Content-Security-Policy: default-src 'none'`` as well.
Must not: do I/O.
"""

from __future__ import annotations

import re
import struct

from lxml import etree

from connector.qbxml.errors import QbxmlError
from connector.qbxml.safexml import parse_document

MAX_LOGO_BYTES = 256 * 1024
MAX_SIDE = 4096
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"

ALLOWED_ELEMENTS = frozenset(
    {
        "svg", "g", "defs", "symbol", "use", "title", "desc", "path", "rect", "circle",
        "ellipse", "line", "polyline", "polygon", "text", "tspan", "linearGradient",
        "radialGradient", "stop", "clipPath", "mask", "pattern", "style", "metadata",
    }
)  # fmt: skip
_EXTERNAL_URL = re.compile(r"url\(\s*['\"]?\s*(?!#)", re.IGNORECASE)
_BAD_TEXT = re.compile(r"javascript:|@import|expression\s*\(", re.IGNORECASE)


class LogoProblem(ValueError):
    """Why a logo file is refused (written for the person who uploaded it)."""


def check_png(data: bytes) -> None:
    if not data.startswith(PNG_SIGNATURE) or len(data) < 33 or data[12:16] != b"IHDR":
        raise LogoProblem("the file is not a PNG image")
    width, height = struct.unpack(">II", data[16:24])
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
        raise LogoProblem(f"a logo must be at most {MAX_SIDE} x {MAX_SIDE} pixels")


def _local(name: str) -> tuple[str | None, str]:
    if name.startswith("{"):
        ns, _, local = name[1:].partition("}")
        return ns, local
    return None, name


def _check_text(where: str, value: str) -> None:
    if _BAD_TEXT.search(value) or _EXTERNAL_URL.search(value):
        raise LogoProblem(f"{where} refers to a script or an outside address")


def _check_element(element: etree._Element) -> None:
    ns, name = _local(str(element.tag))
    if ns != SVG_NS:
        raise LogoProblem(f"the element {name!r} is not SVG")
    if name not in ALLOWED_ELEMENTS:
        raise LogoProblem(f"the element <{name}> is not allowed in a logo")
    for attribute, value in element.attrib.items():
        _, attr = _local(str(attribute))
        if attr.lower().startswith("on"):
            raise LogoProblem(f"the attribute {attr!r} (a script handler) is not allowed")
        if attr == "href" and not str(value).strip().startswith("#"):
            raise LogoProblem("links to other files or addresses are not allowed in a logo")
        _check_text(f"the attribute {attr!r}", str(value))
    if name == "style":
        _check_text("a style", element.text or "")


def sanitise_svg(data: bytes) -> bytes:
    """The SVG written out again after every check passed; ``LogoProblem`` otherwise."""
    try:
        root = parse_document(data, max_bytes=MAX_LOGO_BYTES)
    except QbxmlError as exc:
        raise LogoProblem(f"the file is not a readable SVG image ({exc})") from None
    if root.getprevious() is not None or root.getnext() is not None:
        raise LogoProblem("processing instructions are not allowed in a logo")
    for element in root.iter():
        if isinstance(element, etree._ProcessingInstruction):
            raise LogoProblem("processing instructions are not allowed in a logo")
        if isinstance(element, etree._Comment):
            continue
        _check_element(element)
    if _local(str(root.tag))[1] != "svg":
        raise LogoProblem("the file's root element is not <svg>")
    etree.strip_elements(root, etree.Comment, with_tail=False)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def check_logo(content_type: str, data: bytes) -> tuple[str, bytes]:
    """The content type and bytes to store for an uploaded logo, or ``LogoProblem``."""
    if not data:
        raise LogoProblem("the file is empty")
    if len(data) > MAX_LOGO_BYTES:
        raise LogoProblem(f"the file is larger than {MAX_LOGO_BYTES // 1024} KB")
    kind = content_type.split(";")[0].strip().lower()
    if kind == "image/png" or (
        kind in ("", "application/octet-stream") and data[:8] == PNG_SIGNATURE
    ):
        check_png(data)
        return "image/png", data
    if kind in ("image/svg+xml", "text/xml", "application/xml") or data.lstrip()[:1] == b"<":
        return "image/svg+xml", sanitise_svg(data)
    raise LogoProblem("upload a PNG or SVG image")
