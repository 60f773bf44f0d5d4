"""Shared test fixtures: where the reference artifacts are, and the PostgreSQL URL."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["conftest_db"]  # database fixtures (db, backend, ...) for every package

REPO = Path(__file__).resolve().parent.parent
REFERENCE = Path(
    __import__("os").environ.get("QBD_REFERENCE_DIR", REPO.parent / "shared" / "reference")
)


def reference_path(*parts: str) -> Path:
    """A file or folder under ``../shared/reference``; skips the test when it is absent."""
    path = REFERENCE.joinpath(*parts)
    if not path.exists():
        pytest.skip(
            f"reference artifact {path} is absent (../shared/reference not beside the checkout)"
        )
    return path


@pytest.fixture
def reference() -> Path:
    if not REFERENCE.exists():
        pytest.skip(f"{REFERENCE} is absent (../shared/reference not beside the checkout)")
    return REFERENCE
