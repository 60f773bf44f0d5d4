"""Secrets: argon2id hashing of passwords and API keys, and generation of random tokens.

Owns: the hash parameters, the format of generated usernames, passwords, API keys and GUIDs.
Must not: touch the store or know about HTTP.

Every secret we hash is generated here with at least 128 bits of entropy, so the argon2id
work factor only has to stop offline guessing of a *random* string; we use OWASP's minimum
argon2id profile (m=19 MiB, t=2, p=1, about 60 ms) rather than argon2-cffi's 64 MiB default,
which would make each Web Connector authenticate cost 64 MiB of server memory.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import uuid
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher, Type, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from argon2.low_level import ffi, lib  # type: ignore[attr-defined]  # lib: not in __all__

API_KEY_PREFIX = "qbdk"
"""Every API key starts ``qbdk_``: easy to spot in logs and secret scanners."""

_HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1, type=Type.ID)


def hash_secret(plaintext: str) -> str:
    """The argon2id hash of ``plaintext`` (a PHC string, salt included)."""
    return _HASHER.hash(plaintext)


def verify_secret(stored_hash: str, plaintext: str) -> bool:
    """Whether ``plaintext`` matches ``stored_hash``; False (never an error) on any mismatch."""
    try:
        return _reused_memory_verify(stored_hash, plaintext.encode())
    except _NotThisWay:
        pass
    try:
        return _HASHER.verify(stored_hash, plaintext)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


class _NotThisWay(Exception):
    """The hash or the platform is not one ``_reused_memory_verify`` handles."""


_BLOCKS_KEPT = 2
_blocks: list[tuple[int, Any]] = []  # (size, cffi buffer) free for the next verification
_lent: dict[int, Any] = {}  # address -> buffer, while argon2 holds it
_blocks_lock = threading.Lock()


def _allocate(memory: Any, size: int) -> int:
    with _blocks_lock:
        found = next((i for i, (n, _) in enumerate(_blocks) if n == size), None)
        block = _blocks.pop(found)[1] if found is not None else None
    if block is None:
        block = ffi.new("uint8_t[]", size)
    memory[0] = block
    with _blocks_lock:
        _lent[int(ffi.cast("uintptr_t", block))] = block
    return 0


def _free(memory: Any, size: int) -> None:
    with _blocks_lock:
        block = _lent.pop(int(ffi.cast("uintptr_t", memory)), None)
        if block is not None and len(_blocks) < _BLOCKS_KEPT:
            _blocks.append((size, block))


try:
    _ALLOCATE = ffi.callback("int(uint8_t **, size_t)", _allocate)
    _FREE = ffi.callback("void(uint8_t *, size_t)", _free)
except Exception:  # a platform that refuses run-time callbacks: argon2's own malloc
    _ALLOCATE = _FREE = None


def _reused_memory_verify(stored_hash: str, secret: bytes) -> bool:
    """argon2id verification whose 19 MiB come from blocks kept between calls (at most two).
    With the service's fixed mmap threshold (``connector.runtime``) argon2's own malloc maps
    a fresh 19 MiB per call and faults every page in: about 4,900 faults and 11-14 ms of
    system CPU, authenticate costing 2.2 times one verification (issue 12)."""
    if _ALLOCATE is None or _FREE is None:
        raise _NotThisWay
    try:
        params = extract_parameters(stored_hash)
        salt_b64, hash_b64 = stored_hash.split("$")[-2:]
        salt, expected = (base64.b64decode(v + "=" * (-len(v) % 4)) for v in (salt_b64, hash_b64))
    except (InvalidHashError, ValueError) as exc:
        raise _NotThisWay from exc
    if params.type is not Type.ID or len(expected) != params.hash_len:
        raise _NotThisWay
    out = ffi.new("uint8_t[]", len(expected))
    pwd = ffi.new("uint8_t[]", secret)
    salt_buf = ffi.new("uint8_t[]", salt)
    context = ffi.new(
        "argon2_context *",
        {
            "out": out,
            "outlen": len(expected),
            "pwd": pwd,
            "pwdlen": len(secret),
            "salt": salt_buf,
            "saltlen": len(salt),
            "secret": ffi.NULL,
            "secretlen": 0,
            "ad": ffi.NULL,
            "adlen": 0,
            "t_cost": params.time_cost,
            "m_cost": params.memory_cost,
            "lanes": params.parallelism,
            "threads": params.parallelism,
            "version": params.version,
            "allocate_cbk": _ALLOCATE,
            "free_cbk": _FREE,
            "flags": lib.ARGON2_DEFAULT_FLAGS,
        },
    )
    if lib.argon2_ctx(context, lib.Argon2_id) != lib.ARGON2_OK:
        raise _NotThisWay  # the library's own verify says what is wrong
    return hmac.compare_digest(bytes(ffi.buffer(out, len(expected))), expected)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_secret(secrets.token_urlsafe(16))


def burn_verification(plaintext: str) -> None:
    """Spend the time of one verification without a stored hash, so an unknown username
    takes as long to refuse as a wrong password (never reveal that a username exists)."""
    verify_secret(_dummy_hash(), plaintext)


def new_password() -> str:
    """128 random bits, URL-safe, never starting with ``-`` or ``_`` (a leading ``-`` reads as
    an option on a command line, e.g. ``qbd-emulator webconnector --password P``)."""
    while True:
        password = secrets.token_urlsafe(16)
        if password[0].isalnum():
            return password


def new_token_hex(nbytes: int = 16) -> str:
    """Random hex, ``nbytes`` bytes of entropy (tickets use 16 = 128 bits)."""
    return secrets.token_hex(nbytes)


def token_digest(token: str) -> str:
    """The SHA-256 (hex) of a random token the store must not keep in clear: Web Connector
    tickets, setup-link tokens, web session cookies. The store keeps and looks rows up by
    it, so whoever reads the store holds nothing to call or sign in with (issue 18 item 10).

    No salt and no argon2, unlike passwords: each token is at least 128 random bits
    (``new_token_hex``, ``secrets.token_urlsafe``), so there is no dictionary or reused value
    to attack and a slow hash would add nothing but its cost to every call; a salt would also
    stop the one-lookup-per-call key."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def ticket_hash(ticket: str) -> str:
    """How the QBWC service keys a session: ``token_digest`` of its ticket."""
    return token_digest(ticket)


def new_api_key() -> tuple[str, str]:
    """A new API key ``qbdk_<prefix>_<secret>`` and its lookup prefix (8 hex characters).

    The prefix is stored in clear to find the row; the whole key is verified by hash.
    """
    prefix = secrets.token_hex(4)
    return f"{API_KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}", prefix


def api_key_prefix(key: str) -> str | None:
    """The lookup prefix of a well-formed key, ``None`` for anything else."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX or len(parts[1]) != 8:
        return None
    if any(c not in "0123456789abcdef" for c in parts[1]) or not parts[2]:
        return None
    return parts[1]


def new_guid() -> str:
    """A GUID in the braced upper-case form QWC files use for OwnerID and FileID
    (PROTOCOL.md 1.6; e.g. ``{57F3B9B1-86F1-4FCC-B1EE-566DE1813D20}``)."""
    return "{" + str(uuid.uuid4()).upper() + "}"
