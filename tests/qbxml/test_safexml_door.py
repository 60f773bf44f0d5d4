"""``connector.qbxml.safexml`` is the one door to the XML parser (DESIGN.md "Decisions").

Scans the sources of ``connector`` and ``qbd_emulator``: no other module may build an lxml
parser, parse with lxml directly, or use the standard library's XML parsers (which resolve
entities).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOOR = REPO / "connector" / "qbxml" / "safexml.py"
PARSING_CALLS = frozenset(
    {
        "fromstring",
        "fromstringlist",
        "XML",
        "XMLID",
        "parse",
        "iterparse",
        "XMLParser",
        "XMLPullParser",
        "HTMLParser",
        "ETCompatXMLParser",
        "XMLTreeBuilder",
    }
)
FORBIDDEN_MODULES = (
    "xml.etree",
    "xml.dom",
    "xml.sax",
    "xml.parsers",
    "lxml.html",
    "lxml.objectify",
)


def sources() -> list[Path]:
    return sorted(
        path
        for package in ("connector", "qbd_emulator")
        for path in (REPO / package).rglob("*.py")
        if path != DOOR and "migrations" not in path.parts
    )


def offences(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [alias.name for alias in node.names]
            bad = [n for n in names if n.startswith(FORBIDDEN_MODULES)]
            found += [f"line {node.lineno}: imports {n}" for n in bad]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if (
                node.func.attr in PARSING_CALLS
                and isinstance(owner, ast.Name)
                and owner.id in ("etree", "lxml")
            ):
                found.append(f"line {node.lineno}: etree.{node.func.attr}(...)")
    return found


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(REPO)))
def test_only_safexml_builds_xml_parsers(path: Path) -> None:
    assert offences(path) == [], "parse XML through connector.qbxml.safexml"


def test_the_scan_catches_a_direct_parse(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from lxml import etree\nimport xml.etree.ElementTree as ET\n"
        "etree.fromstring(b'<a/>')\np = etree.XMLParser()\n"
    )
    assert len(offences(bad)) == 3
