"""Password verification (connector.secrets): argon2id with memory kept between calls, the
library's own verify for anything else, and never an error for a bad hash (issue 12: an
authenticate costs one verification, not one plus mapping and faulting in 19 MiB)."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest
from argon2 import PasswordHasher, Type

from connector import secrets

RIGHT = "$argon2id$v=19$m=19456,t=2,p=1$jDhhNz4GqZkqSN/LvhizVA$6SaQk2n5OHqsx9iypq32ePDsUr/+0MCW7rv92pZA4K0"
"""A hash of "right" made by ``hash_secret``."""


def test_the_reused_memory_path_verifies_and_refuses() -> None:
    assert secrets.verify_secret(RIGHT, "right") and not secrets.verify_secret(RIGHT[:-4], "right")
    stored = secrets.hash_secret("right")
    assert secrets._reused_memory_verify(stored, b"right") is True
    assert secrets._reused_memory_verify(stored, b"wrong") is False
    assert secrets._reused_memory_verify(secrets.hash_secret(""), b"") is True
    assert secrets.verify_secret(stored, "right") and not secrets.verify_secret(stored, "Right")


@pytest.mark.parametrize(
    "stored",
    [
        "not a hash",
        "$argon2id$v=19$m=19456,t=2,p=1$%%%$%%%",
        "$argon2id$v=19$m=19456,t=2,p=1$jDhhNz4GqZkqSN/LvhizVA$6SaQk2n5OHqsx9iypq32ePDsUr/+0MCW7rv92pZ",  # the hash of "right", its digest truncated
    ],
)
def test_a_bad_hash_is_a_mismatch_not_an_error(stored: str) -> None:
    assert secrets.verify_secret(stored, "right") is False


def test_other_argon2_types_still_verify_through_the_library() -> None:
    stored = PasswordHasher(time_cost=1, memory_cost=64, type=Type.I).hash("right")
    with pytest.raises(secrets._NotThisWay):
        secrets._reused_memory_verify(stored, b"right")
    assert secrets.verify_secret(stored, "right") and not secrets.verify_secret(stored, "x")


def test_threads_verifying_at_once_each_get_their_own_memory() -> None:
    stored = secrets.hash_secret("right")
    results: list[bool] = []
    threads = [
        threading.Thread(target=lambda p=p: results.append(secrets.verify_secret(stored, p)))
        for p in ("right", "wrong", "right", "wrong", "right", "wrong")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 3 + [True] * 3
    assert not secrets._lent and len(secrets._blocks) <= secrets._BLOCKS_KEPT


_FAULTS = """
import resource
from connector.runtime import tune_malloc
from connector import secrets
assert tune_malloc()
stored = secrets.hash_secret("right")
verify = {how!r}
def faults(call):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    assert call()
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
one = (lambda: secrets.verify_secret(stored, "right")) if verify == "ours" else (
    lambda: secrets._HASHER.verify(stored, "right"))
one()
print(min(faults(one) for _ in range(3)))
"""


def test_a_verification_in_a_tuned_service_process_faults_no_19_mib_in() -> None:
    """Under the service's fixed mmap threshold the library maps and faults in its 19 MiB
    (4,864 pages) every call; ours keeps the block: a count of page faults, not a time."""

    def faults(how: str) -> int:
        run = subprocess.run(
            [sys.executable, "-c", _FAULTS.format(how=how)], capture_output=True, text=True
        )
        assert run.returncode == 0, run.stderr
        return int(run.stdout)

    assert faults("library") > 4000  # what the test guards against, seen on this machine
    assert faults("ours") < 500
