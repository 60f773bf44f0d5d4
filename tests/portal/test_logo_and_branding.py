"""Logos and branding values, purely: what an SVG may hold, what a PNG must be, the limits of
each branding field (every field in error is named at once)."""

from __future__ import annotations

import pytest

from connector.portal.branding import brand_of, check_branding
from connector.portal.errors import BrandingRefused
from connector.portal.svg import MAX_LOGO_BYTES, LogoProblem, check_logo, check_png, sanitise_svg
from connector.store.platform import Branding

NS = 'xmlns="http://www.w3.org/2000/svg"'


@pytest.mark.parametrize(
    "svg",
    [
        pytest.param(f"<svg {NS}><script>alert(1)</script></svg>", id="script"),
        pytest.param(f'<svg {NS} onload="alert(1)"/>', id="event-handler"),
        pytest.param(
            f'<svg {NS}><rect onclick="x()" width="1" height="1"/></svg>', id="nested-handler"
        ),
        pytest.param(
            f"<svg {NS}><foreignObject><p>hi</p></foreignObject></svg>", id="foreign-object"
        ),
        pytest.param(
            f'<svg {NS} xmlns:x="http://www.w3.org/1999/xlink"><use x:href="http://evil.example/a.svg#x"/></svg>',
            id="external-use",
        ),
        pytest.param(
            f'<svg {NS}><a href="javascript:alert(1)"><rect width="1" height="1"/></a></svg>',
            id="anchor",
        ),
        pytest.param(
            f'<svg {NS}><rect style="fill:url(http://evil.example/p)" width="1" height="1"/></svg>',
            id="external-url",
        ),
        pytest.param(
            f"<svg {NS}><style>@import url(http://evil.example/x.css);</style></svg>",
            id="style-import",
        ),
        pytest.param(f'<!DOCTYPE svg [<!ENTITY x "y">]><svg {NS}>&x;</svg>', id="doctype-entity"),
        pytest.param(
            f"<?xml-stylesheet href='http://evil.example/x.css'?><svg {NS}/>",
            id="processing-instruction",
        ),
        pytest.param("<svg><rect/></svg>", id="no-svg-namespace"),
        pytest.param(f"<svg {NS}><rect", id="not-well-formed"),
    ],
)
def test_svgs_that_could_run_or_fetch_are_refused(svg: str) -> None:
    with pytest.raises(LogoProblem):
        check_logo("image/svg+xml", svg.encode())


def test_a_plain_svg_passes_and_is_written_again_without_comments() -> None:
    svg = f'<svg {NS} viewBox="0 0 2 2"><!-- note --><defs><linearGradient id="g"><stop offset="0"/></linearGradient></defs><rect fill="url(#g)" width="2" height="2"/></svg>'
    kind, data = check_logo("image/svg+xml", svg.encode())
    assert kind == "image/svg+xml" and b"note" not in data and b'fill="url(#g)"' in data
    assert sanitise_svg(data) == data


def test_pngs_are_checked_by_signature_and_size() -> None:
    with pytest.raises(LogoProblem, match="not a PNG"):
        check_logo("image/png", b"GIF89a" + b"\0" * 40)
    huge = b"\x89PNG\r\n\x1a\n" + b"\0\0\0\rIHDR" + (100_000).to_bytes(4, "big") * 2 + b"\0" * 13
    with pytest.raises(LogoProblem, match="pixels"):
        check_png(huge)
    with pytest.raises(LogoProblem, match="larger than"):
        check_logo("image/png", b"\0" * (MAX_LOGO_BYTES + 1))
    with pytest.raises(LogoProblem, match="PNG or SVG"):
        check_logo("image/gif", b"GIF89a")


def test_branding_names_every_field_in_error() -> None:
    with pytest.raises(BrandingRefused) as refused:
        check_branding("x" * 81, "ok", "ftp://nope", "blue")
    assert set(refused.value.problems) == {"appName", "supportUrl", "accentColor"}
    kept = check_branding("  Acme   Lending ", "", "https://acme.example/help", "#AABBCC")
    assert kept == Branding("Acme Lending", None, "https://acme.example/help", "#aabbcc")
    brand = brand_of(kept, "qbd-connector")
    assert brand.name == "Acme Lending" and "Acme Lending" in brand.description
    assert brand_of(Branding(), "qbd-connector").name == "qbd-connector"
