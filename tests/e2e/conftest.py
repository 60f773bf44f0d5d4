"""End-to-end tests reuse the store/company comparison of ``tests/sync/sync_harness.py``."""

from __future__ import annotations

import sys
from pathlib import Path

SYNC_TESTS = str(Path(__file__).resolve().parent.parent / "sync")
if SYNC_TESTS not in sys.path:
    sys.path.insert(0, SYNC_TESTS)
