"""Files holding secrets are created 0600, never widened first and narrowed after (issue 18
item 10): ``chmod`` is disabled here, so only the mode the file was created with counts."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from connector.demo import STATE_FILE, DemoLink, _save_state
from connector.private_files import write_private


@pytest.fixture(autouse=True)
def _no_chmod_and_a_lax_umask(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(os, "chmod", lambda *_a, **_k: None)
    old = os.umask(0o022)  # the usual umask: files default to 0644
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_write_private_creates_and_replaces_0600_files(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "secret.json"
    write_private(path, b"one")
    assert _mode(path) == 0o600 and path.read_bytes() == b"one"
    path.chmod(0o644)  # (the real chmod: a file someone widened)
    write_private(path, b"two")
    assert _mode(path) == 0o600 and path.read_bytes() == b"two"
    assert [p.name for p in path.parent.iterdir()] == ["secret.json"]  # no temporary left


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_the_demo_state_file_is_private_from_its_first_byte(tmp_path: Path) -> None:
    link = DemoLink("co", "conn", "the-password", "qbdk_key", "tiny", 1)
    _save_state(tmp_path, link)
    path = tmp_path / STATE_FILE
    assert _mode(path) == 0o600
    assert json.loads(path.read_text(encoding="utf-8"))["password"] == "the-password"
