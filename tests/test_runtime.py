"""Process tuning of the service and its workers (``connector.runtime``), checked in a child
process so the test run's own collector and allocator stay as they are."""

from __future__ import annotations

import gc
import json
import platform
import subprocess
import sys

import pytest

from connector.runtime import GEN0_THRESHOLD, gc_tuned

_PROBE = """
import gc, json
from connector.runtime import GEN0_THRESHOLD, tune_malloc, tune_process
before = gc.get_threshold()
malloc = tune_malloc()
tune_process()
print(json.dumps({"before": before, "after": gc.get_threshold(), "frozen": gc.get_freeze_count(),
                  "malloc": malloc, "gen0": GEN0_THRESHOLD}))
"""


def _probe() -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    result: dict[str, object] = json.loads(out)
    return result


def test_the_collector_runs_less_often_and_skips_start_up_objects() -> None:
    probe = _probe()
    before, after = probe["before"], probe["after"]
    assert isinstance(before, list) and isinstance(after, list)
    assert after[0] == probe["gen0"] and after[0] > before[0] and after[1:] == before[1:]
    assert isinstance(probe["frozen"], int) and probe["frozen"] > 1000


@pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc only"
)
def test_the_allocator_is_tuned_on_glibc() -> None:
    assert _probe()["malloc"] is True


def test_gc_tuned_leaves_the_collector_as_it_found_it() -> None:
    """``qbd-emulator webconnector`` runs in test processes too: its tuning is undone."""
    threshold = gc.get_threshold()
    held = [{"a": [1]} for _ in range(1000)]  # what a command holds for its run
    with gc_tuned():
        assert gc.get_threshold()[0] == GEN0_THRESHOLD
        assert gc.get_freeze_count() >= len(held)
    assert gc.get_threshold() == threshold
    assert gc.get_freeze_count() == 0
