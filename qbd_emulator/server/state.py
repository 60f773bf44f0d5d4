"""What the emulator server holds: fake companies and the Web Connector runs made against them.

Owns: ``Held`` (one company with its lock: QuickBooks answers one call at a time, so a run holds
it for its whole update and a qbXML call waits) and ``ServerState`` (ids, look-ups, reset).
Must not: know HTTP (``server.app``) or build Web Connector sessions (``update``).
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from pathlib import Path

from qbd_emulator.company import CompanyFile

__all__ = ["Held", "ServerState"]


@dataclass
class Held:
    id: str
    company: CompanyFile
    seed: int
    size: str | None = None
    file: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def describe(self) -> dict[str, object]:
        with self.lock:
            counts = self.company.counts()
        return {
            "id": self.id,
            "seed": self.seed,
            "size": self.size,
            "file": self.file,
            "companyName": self.company.company_info.get("CompanyName"),
            "filePath": self.company.file_path,
            "counts": counts,
            "total": sum(counts.values()),
        }


@dataclass
class ServerState:
    companies: dict[str, Held] = field(default_factory=dict)
    runs: dict[str, dict[str, object]] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def next_id(self, prefix: str) -> str:
        with self._lock:
            return f"{prefix}{next(self._ids)}"

    def hold(
        self, company: CompanyFile, seed: int, size: str | None = None, file: Path | None = None
    ) -> Held:
        held = Held(self.next_id("co_"), company, seed, size, str(file) if file else None)
        with self._lock:
            self.companies[held.id] = held
        return held

    def keep_run(self, run: dict[str, object]) -> None:
        with self._lock:
            self.runs[str(run["id"])] = run

    def reset(self) -> int:
        """Forget every company and run; returns how many companies were dropped."""
        with self._lock:
            dropped = len(self.companies)
            self.companies.clear()
            self.runs.clear()
            return dropped
