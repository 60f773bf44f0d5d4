"""Company passwords: the OS credential store through keyring, else an encrypted file.

Owns: where a company's Web Connector password is kept and how. ``open_credential_store``
picks the OS credential store (Windows Credential Manager, macOS Keychain, the Secret Service
on a Linux desktop) when keyring finds a usable one; on a machine without one (a headless
Linux box) it picks ``EncryptedFileStore``: ``credentials.enc``, Fernet-encrypted (AES-128-CBC
+ HMAC-SHA256) with a random key in ``credentials.key``; both files mode 0600 in a 0700
folder. The protection there is the file permissions: whoever can read the user's files can
read the key too; the encryption keeps the passwords out of backups and searches that copy
one file without the other. ``QBD_AGENT_CREDENTIALS=file|keyring`` forces a backend.
Must not: log or print a password.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Protocol

from connector.agent.errors import CredentialError
from connector.agent.files import write_private
from connector.agent.paths import AgentPaths

SERVICE = "qbd-connector-agent"
BACKEND_ENV = "QBD_AGENT_CREDENTIALS"


class CredentialStore(Protocol):
    description: str
    """Which backend, for ``agent status`` and the README."""

    def get(self, company: str) -> str | None: ...

    def set(self, company: str, password: str) -> None: ...

    def delete(self, company: str) -> None: ...


class KeyringStore:
    def __init__(self, backend: object) -> None:
        import keyring

        self._keyring = keyring
        self.description = f"OS credential store ({type(backend).__name__})"

    def get(self, company: str) -> str | None:
        try:
            value: str | None = self._keyring.get_password(SERVICE, company)
            return value
        except Exception as exc:  # keyring backends raise their own types
            raise CredentialError(f"the OS credential store refused: {exc}") from None

    def set(self, company: str, password: str) -> None:
        try:
            self._keyring.set_password(SERVICE, company, password)
        except Exception as exc:
            raise CredentialError(f"the OS credential store refused: {exc}") from None

    def delete(self, company: str) -> None:
        import keyring.errors

        try:
            self._keyring.delete_password(SERVICE, company)
        except keyring.errors.PasswordDeleteError:
            pass
        except Exception as exc:
            raise CredentialError(f"the OS credential store refused: {exc}") from None


class EncryptedFileStore:
    description = "encrypted file (Fernet; key and file readable only by this user)"

    def __init__(self, paths: AgentPaths) -> None:
        self._file = paths.credentials_file
        self._key_file = paths.credentials_key

    def _fernet(self) -> object:
        from cryptography.fernet import Fernet

        try:
            key = self._key_file.read_bytes()
        except FileNotFoundError:
            key = Fernet.generate_key()
            write_private(self._key_file, key)
        except OSError as exc:
            raise CredentialError(f"cannot read {self._key_file}: {exc.strerror}") from None
        return Fernet(key)

    def _load(self) -> dict[str, str]:
        from cryptography.fernet import InvalidToken

        try:
            token = self._file.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise CredentialError(f"cannot read {self._file}: {exc.strerror}") from None
        try:
            plain = self._fernet().decrypt(token)  # type: ignore[attr-defined]
        except InvalidToken:
            raise CredentialError(
                f"{self._file} cannot be decrypted with {self._key_file}: add the companies' "
                "passwords again (`qbd-connector agent add-company`)"
            ) from None
        data: dict[str, str] = json.loads(plain)
        return data

    def _save(self, data: dict[str, str]) -> None:
        token = self._fernet().encrypt(json.dumps(data).encode())  # type: ignore[attr-defined]
        write_private(self._file, token)

    def get(self, company: str) -> str | None:
        return self._load().get(company)

    def set(self, company: str, password: str) -> None:
        data = self._load()
        data[company] = password
        self._save(data)

    def delete(self, company: str) -> None:
        data = self._load()
        if data.pop(company, None) is not None:
            self._save(data)


def usable_keyring() -> object | None:
    """The keyring backend when it is a real OS store, else ``None``."""
    try:
        import keyring
        from keyring.backends import chainer, fail
    except ImportError:
        return None
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring):
        return None
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return None
    priority = getattr(backend, "priority", 0)
    return backend if isinstance(priority, int | float) and priority > 0 else None


def open_credential_store(
    paths: AgentPaths, environ: Mapping[str, str] | None = None
) -> CredentialStore:
    env = os.environ if environ is None else environ
    forced = env.get(BACKEND_ENV, "").strip().lower()
    if forced not in ("", "file", "keyring"):
        raise CredentialError(f"{BACKEND_ENV}={forced!r}: use 'file' or 'keyring'")
    if forced == "file":
        return EncryptedFileStore(paths)
    backend = usable_keyring()
    if backend is not None:
        return KeyringStore(backend)
    if forced == "keyring":
        raise CredentialError(f"{BACKEND_ENV}=keyring but no OS credential store is usable here")
    return EncryptedFileStore(paths)
