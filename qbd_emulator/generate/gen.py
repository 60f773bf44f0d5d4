"""Shared state of one generation run: the seeded randomness, the clock and the pools.

Owns: ``Gen`` (one ``random.Random(seed)``, one seeded Faker, the company being built, the
fixed "now" of the generated file, pools of refs per role, the running general ledger) and
the small value helpers (money, dates, refs). Must not: read the real clock or do I/O.

Everything random comes from ``Gen.rng`` or ``Gen.fake`` (seeded from the same seed), so a
seed reproduces the file exactly.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import TypeVar

from faker import Faker

from connector.qbxml.values import RecordData, Value
from qbd_emulator.company import CompanyFile, StoredRecord, name_of

TZ = timezone(timedelta(hours=-7))
"""Pacific daylight time, the offset of ``NOW``."""
PST = timezone(timedelta(hours=-8))

# QuickBooks stamps TimeCreated/TimeModified in the workstation's local time with its
# offset (PROTOCOL.md 1.10). The generated workstation is on US Pacific time, so stamps
# carry -08:00 in winter and -07:00 in summer (US rules since 2007: from the second Sunday
# of March to the first Sunday of November). QuickBooks' wrong-offset DST bug is not
# reproduced here: that belongs to a fault scenario, not to the company data.


def _sunday(year: int, month: int, nth: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(6 - first.weekday()) % 7 + 7 * (nth - 1))


def local(moment: datetime) -> datetime:
    """``moment`` in Pacific local time, with the offset in force at that instant."""
    utc = moment.astimezone(UTC)
    starts = datetime.combine(_sunday(utc.year, 3, 2), time(10), UTC)
    ends = datetime.combine(_sunday(utc.year, 11, 1), time(9), UTC)
    return utc.astimezone(TZ if starts <= utc < ends else PST)


NOW = datetime(2024, 6, 28, 17, 0, 0, tzinfo=TZ)
"""The generated file's "now": fixed so that a seed always gives the same file."""

HISTORY_DAYS = 730
FAKE_POOL = 400
CENT = Decimal("0.01")
ZERO = Decimal("0.00")

T = TypeVar("T")
Progress = Callable[[int], None]
"""Called with the number of records added since the last call."""


@dataclass
class Gen:
    rng: random.Random
    fake: Faker
    company: CompanyFile
    now: datetime = NOW
    progress: Progress | None = None
    refs: dict[str, list[RecordData]] = field(default_factory=dict)
    """Pools of shared ref dicts by role (``customers``, ``bank``, ``expense``, ...)."""
    account: dict[str, RecordData] = field(default_factory=dict)
    """Ref of the account playing one role (``ar``, ``ap``, ``undeposited``, ``tax``...)."""
    gl: dict[str, Decimal] = field(default_factory=dict)
    """Running debit-positive balance per account ListID."""
    _ref_cache: dict[str, RecordData] = field(default_factory=dict)
    _fakes: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def create(cls, seed: int, company: CompanyFile, progress: Progress | None = None) -> Gen:
        fake = Faker("en_US")
        fake.seed_instance(seed)
        return cls(random.Random(seed), fake, company, progress=progress)

    @property
    def start(self) -> datetime:
        return self.now - timedelta(days=HISTORY_DAYS)

    # ---- records ----------------------------------------------------------------------
    def add(self, key: str, ret: str, data: RecordData, created: datetime) -> StoredRecord:
        """Store a record created at ``created`` (never before its parent)."""
        parent = data.get("ParentRef")
        if isinstance(parent, dict):
            born = self.company.get(key, str(parent["ListID"])).data["TimeCreated"]
            assert isinstance(born, datetime)
            created = max(created, born)
        record = self.company.add(key, ret, data, created, resolve=False)
        if self.progress is not None:
            self.progress(1)
        return record

    def ref(self, record: StoredRecord) -> RecordData:
        """One shared ``{ListID, FullName}`` dict per record (records never mutate refs)."""
        list_id = str(record.data["ListID"])
        cached = self._ref_cache.get(list_id)
        if cached is None:
            cached = {"ListID": list_id, "FullName": name_of(record.data)}
            self._ref_cache[list_id] = cached
        return cached

    def pool(self, role: str, record: StoredRecord) -> RecordData:
        ref = self.ref(record)
        self.refs.setdefault(role, []).append(ref)
        return ref

    def pick(self, role: str) -> RecordData:
        return self.rng.choice(self.refs[role])

    def choice(self, values: list[T] | tuple[T, ...]) -> T:
        return self.rng.choice(values)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def line_id(self, created: datetime) -> str:
        return self.company.counters.txn_id(created)

    # ---- values -----------------------------------------------------------------------
    def fk(self, kind: str, cap: int = FAKE_POOL) -> str:
        """A Faker value of ``kind`` (a Faker method name). Faker is slow (~100 us a call),
        so each kind draws fresh values until ``cap`` are known, then reuses them: names
        stay varied and ``large`` stays fast. Deterministic: the draw order is fixed."""
        pool = self._fakes.setdefault(kind, [])
        if len(pool) < cap:
            value = str(getattr(self.fake, kind)())
            pool.append(value)
            return value
        return pool[self.rng.randrange(cap)]

    def day(self) -> date:
        """A day in the file's history."""
        return self.start.date() + timedelta(days=self.rng.randrange(HISTORY_DAYS))

    def money(self, low: int, high: int) -> Decimal:
        """A dollar amount with cents between ``low`` and ``high`` dollars."""
        return Decimal(self.rng.randint(low * 100, high * 100)).scaleb(-2)

    def list_created(self) -> datetime:
        """When a list element was created: mostly in the first months of the file."""
        days = int(self.rng.triangular(0, HISTORY_DAYS, 0))
        return self.stamp(self.start.date() + timedelta(days=days))

    def stamp(self, day: date) -> datetime:
        """A working-hours moment on ``day`` (never after ``now``)."""
        seconds = self.rng.randint(8 * 3600, 18 * 3600)
        naive = datetime.combine(day, time(0)) + timedelta(seconds=seconds)
        moment = naive.replace(tzinfo=TZ)
        if local(moment).utcoffset() != moment.utcoffset():  # not daylight time then
            moment = naive.replace(tzinfo=PST)
        return min(moment, local(self.now - timedelta(minutes=1)))

    def later(self, created: datetime, p: float = 0.2) -> datetime | None:
        """Sometimes a later modification time (``None`` when never modified)."""
        if not self.chance(p):
            return None
        span = max(int((self.now - created).total_seconds()) - 60, 0)
        if span <= 0:
            return None
        return local(created + timedelta(seconds=self.rng.randint(1, span)))

    def post(self, account: RecordData, debit: Decimal) -> None:
        """Post to the running ledger (debit positive, credit negative)."""
        list_id = str(account["ListID"])
        self.gl[list_id] = self.gl.get(list_id, ZERO) + debit


def vals(rows: Sequence[RecordData]) -> list[Value]:
    """A list of aggregates typed as a repeated element's value."""
    return [*rows]


def short(text: str, limit: int) -> str:
    """QuickBooks' maxLength for names (Name 31/41): cut, never fail."""
    return text[:limit].rstrip()
