"""Applying pages behind the Web Connector: the inbox, this process's pages, their appliers.
About 410 lines: which pages may wait, the order they are applied in and what applies them
share one set of rules; splitting them would spread those rules over modules.

Owns: an iterator page that leaves more to fetch is stored whole in the inbox
(``connector.store.inbox``) while its iterator moves on (``can_wait``; the engine does both in
one transaction); so is a type's last page while the run has other types to ask, its type
asked no more (``last_can_wait``, ``cursors.last_page_received``: a medium company's full
sync applies 215 of its 217 pages behind, against 186 when the service applied each type's
last page while the Web Connector waited). The Web Connector is answered, and the page is
parsed and applied by an ``Applier`` while QuickBooks computes the next page. ``Behind`` keeps
this process's pages of each company: a page that arrives waits for those older than the
one before it (``settle`` with ``AHEAD``), every other call for all of them, and each call
applies any page still in the inbox that is not this process's (``drain``: one a killed
service left, or another instance's); pages of a company are applied in the order they came
(an applier applies older waiting ones first), so the records, counts and watermark are
exactly what applying in line gives; only the percentage lags, by up to two pages. Pages are
applied by ``pages.apply_to_run`` like any other, with the ``stored`` cursor move. The
appliers: ``ThreadApplier`` (an executor of this process: tests, in-memory databases) and
``ProcessApplier`` (a worker process with its own connection to the same database, so a
service parsing and storing a page uses a second core while its own process answers the Web
Connector; the worker ends when its parent does, since a killed service cannot tell it to).
Must not: decide what is asked or how a cursor moves (``plan``, ``cursors``).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import Protocol

from sqlalchemy import Connection

from connector.qbwc.server.text_spool import Response, xml_source
from connector.qbwc.server.text_spool import head as text_head
from connector.qbxml.datatypes import BY_KEY, Kind
from connector.qbxml.errors import QbxmlError
from connector.qbxml.parse import iter_events
from connector.qbxml.values import Event, ResponseStart
from connector.store import inbox
from connector.store import sync_runs as runs
from connector.store.db import Database
from connector.store.inbox import InboxPage
from connector.store.sync_runs import CursorRow
from connector.sync import pages
from connector.sync.cursors import more_to_come
from connector.sync.probe import is_probe
from connector.sync.upsert import ApplyError, ReadPage, read_page, unusable

log = logging.getLogger(__name__)

Parse = Callable[[Response, str], Iterator[Event]]
"""Response text and qbXML version -> the parser's events."""


class Transactional(Protocol):
    """What the sync needs of ``connector.store.db.Database``."""

    def begin(self, *, write: bool = True) -> AbstractContextManager[Connection]: ...


class StoredPages(Protocol):
    """What an ``Applier`` runs: applies one page of the inbox."""

    def apply_stored_page(self, page: InboxPage, now: datetime) -> None: ...


class Applier(Protocol):
    """Runs ``StoredPages.apply_stored_page`` for a page in the inbox, off the calling thread."""

    def prepare(self) -> None:
        """A session begins: get ready for pages (e.g. start a worker) without waiting."""

    def submit(self, pages: StoredPages, page: InboxPage, now: datetime) -> Future[None]: ...


def parse_events(text: Response, version: str) -> Iterator[Event]:
    return iter_events(xml_source(text), version=version or None)


def can_wait(cursor: CursorRow, head: ResponseStart) -> bool:
    """An OK iterator page answering the request in flight, with more to come: its records
    can be applied behind (anything else is applied in line, as it may end or stop a run;
    ``last_can_wait`` says which last pages may wait too)."""
    return _ok_answer(cursor, head) and _more_to_come(head)


def last_can_wait(cursor: CursorRow, head: ResponseStart) -> bool:
    """The OK last page of a plain fetch (no probe phase; the one page of a type without
    iterators included): its records can be applied behind while the run asks other types
    (the caller knows whether any is left: the run's last page is applied in line, so the
    session ends at 100 with every type done). Its cursor ends when it is applied."""
    return (
        _ok_answer(cursor, head)
        and not _more_to_come(head)
        and cursor.phase is None
        and not is_probe(head.request_id or "")
    )


def _ok_answer(cursor: CursorRow, head: ResponseStart) -> bool:
    dt = BY_KEY[cursor.data_type]
    return (
        dt.kind is not Kind.DELETED
        and unusable(head) is None
        and head.name == dt.response
        and head.request_id == cursor.in_flight_request_id
        and head.status.code == 0
    )


def _more_to_come(head: ResponseStart) -> bool:
    return more_to_come(head.iterator_id, head.iterator_remaining)


def apply_stored(
    conn: Connection,
    page: InboxPage,
    events: Iterable[Event] | ReadPage | QbxmlError | ApplyError,
    now: datetime,
) -> None:
    """Take ``page`` out of the inbox and apply it (nothing when someone took it first)."""
    if not inbox.take(conn, page):
        return
    cursor = runs.load_cursors(conn, page.company_id).get(page.data_type)
    delivery = pages.Delivery(page.company_id, page.run_id, page.data_type, page.request_id)
    pages.apply_to_run(conn, delivery, cursor, events, now, pages.stored(page.run_id, now))


AHEAD = 1
"""Pages of a company this process's applier may still be applying when a page arrives: the
service waits for the older ones only, so a page is applied while the Web Connector and
QuickBooks bring the next one, and the service does not wait for the worker each page
(issue 12: a medium sync had waited 2.2 s on SQLite, 2.7 s on PostgreSQL)."""

READ_AHEAD_MAX_CHARS = 2 * 1024 * 1024
"""The longest page read whole before its write transaction. A page of 250 records is up to
about 1 MB; a type without iterators answers in one page of every record (a large company's
about 2,500 employees: 2.7 MB), which held whole as records and texts cost the worker about 17 MB
more at its peak (issue 12: memory flat from medium to large). Such a page is read as it is
written, in batches, inside the transaction, as a page applied in line is."""

_HEAD_CHARS = 4096
"""Where ``Behind.head`` looks first: a page's ``*Rs`` start tag (its status and iterator)
comes within its first lines; the whole page is read only when it does not (parsing the
16 KiB the parser takes at once cost the service about a millisecond a page)."""


class Behind:
    """This process's pages applied behind the Web Connector, in the order they came, at
    most ``AHEAD`` + 1 per company at a time; without an ``applier`` every page is applied in
    line, and ``drain`` still applies the pages other instances left."""

    def __init__(self, database: Transactional, parse: Parse, applier: Applier | None) -> None:
        self._db = database
        self._parse = parse
        self._applier = applier
        # company id -> its pages handed over and not waited for yet, oldest first
        self._pending: dict[str, deque[tuple[int, Future[None]]]] = {}
        self._lock = threading.Lock()

    def prepare(self) -> None:
        if self._applier is not None:
            self._applier.prepare()  # a worker starts while the first small types are asked

    def head(self, response: Response, version: str) -> ResponseStart | None:
        """The first ``*Rs`` of a response when pages may wait (its first chunk is parsed,
        not the whole); ``None`` without an applier or when it cannot be read."""
        if self._applier is None:
            return None
        if len(response) > _HEAD_CHARS:  # the head is in the first lines: read those alone
            found = self._head(text_head(response, _HEAD_CHARS), version)
            if found is not None:
                return found
        return self._head(response, version)

    def _head(self, text: Response, version: str) -> ResponseStart | None:
        events = self._parse(text, version)
        try:
            for event in events:
                if isinstance(event, ResponseStart):
                    return event
        except QbxmlError:
            return None  # applied in line, which records the error (or a cut text's end)
        finally:
            close = getattr(events, "close", None)
            if close is not None:
                close()
        return None

    def hand_over(self, page: InboxPage, now: datetime) -> None:
        """Have the applier apply ``page`` (stored and committed by the caller)."""
        assert self._applier is not None
        try:
            future = self._applier.submit(self, page, now)
        except Exception:  # e.g. a broken worker pool: the page waits in the inbox
            log.exception("cannot hand a stored page of company %s over", page.company_id)
            return
        with self._lock:
            self._pending.setdefault(page.company_id, deque()).append((page.id, future))

    def applying(self, company_id: str) -> frozenset[int]:
        """The inbox IDs of the pages of ``company_id`` this process's applier is still
        applying (or has yet to start)."""
        with self._lock:
            found = self._pending.get(company_id, ())
            return frozenset(page_id for page_id, future in found if not future.done())

    def settle(self, company_id: str, *, keep: int = 0) -> None:
        """Wait for this process's pages of ``company_id``, oldest first, until at most
        ``keep`` are left; a failure leaves its page in the inbox, where the next
        transaction's ``drain`` applies it."""
        while True:
            with self._lock:
                found = self._pending.get(company_id)
                if not found or len(found) <= keep:
                    return
                _, future = found.popleft()
                if not found:
                    del self._pending[company_id]
            try:
                future.result()
            except Exception:
                log.exception("applying a stored page of company %s failed; retrying", company_id)

    def drain(
        self,
        conn: Connection,
        company_id: str,
        now: datetime,
        *,
        skip: frozenset[int] = frozenset(),
        before: int | None = None,
    ) -> None:
        """Apply the company's pages still in the inbox, oldest first: all, or those older
        than ``before``, less those in ``skip`` (this process's, which its applier applies)."""
        for page in inbox.waiting(conn, company_id):
            if before is not None and page.id >= before:
                break
            if page.id in skip:
                continue
            text = inbox.response(conn, page)
            if text is not None:
                apply_stored(conn, page, self._parse(text, page.qbxml_version), now)

    def apply_stored_page(self, page: InboxPage, now: datetime) -> None:
        """Apply one page of the inbox (an ``Applier`` runs this); a no-op when another call
        applied it first."""
        with self._db.begin(write=False) as conn:
            text = inbox.response(conn, page)
        if text is None:
            return  # another call applied it first
        events: Iterable[Event] | ReadPage | QbxmlError | ApplyError
        if len(text) > READ_AHEAD_MAX_CHARS:
            events = self._parse(text, page.qbxml_version)  # read in batches as it is written
        else:
            events = self._read_ahead(page, text)
        with self._db.begin() as conn:
            runs.lock_company(conn, page.company_id)
            # pages of a company are applied in the order they came: one handed to another
            # worker, or left by another instance, that is still waiting goes first
            self.drain(conn, page.company_id, now, before=page.id)
            apply_stored(conn, page, events, now)

    def _read_ahead(
        self, page: InboxPage, text: str
    ) -> list[Event] | ReadPage | QbxmlError | ApplyError:
        """``page`` read before its write transaction, so that writers wait only for the SQL."""
        try:
            events = list(self._parse(text, page.qbxml_version))
            dt = BY_KEY[page.data_type]
            if dt.kind is not Kind.DELETED and not is_probe(page.request_id):
                return read_page(dt, page.request_id, events)  # a probe stores nothing
            return events
        except (QbxmlError, ApplyError) as exc:
            return exc


# --------------------------------------------------------------------------- appliers
class ThreadApplier:
    """Applies on ``executor`` (a thread pool, or anything with ``submit``) in this process."""

    def __init__(self, executor: Executor) -> None:
        self.executor = executor

    def prepare(self) -> None:
        """Nothing to start: the executor's threads start with their first page."""

    def submit(self, pages: StoredPages, page: InboxPage, now: datetime) -> Future[None]:
        return self.executor.submit(pages.apply_stored_page, page, now)

    def shutdown(self) -> None:
        """Finish the page being applied, then stop the thread."""
        self.executor.shutdown(wait=True)


class ProcessApplier:
    """Applies in ``workers`` worker processes that connect to ``database_url`` themselves
    (a file or server database: an in-memory SQLite database cannot be shared). The pool
    (its pipes, semaphores and processes) starts with the first session (``prepare``) or
    page, so a service that never syncs holds none of it. Pages of one company are applied
    in the order they came (with more workers, one applies a company's older waiting pages
    before its own); more workers serve more companies at once."""

    def __init__(self, database_url: str, workers: int = 1) -> None:
        self.database_url = database_url
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    @property
    def pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    self.workers,
                    mp_context=multiprocessing.get_context("spawn"),  # no fork of a threaded server
                    initializer=_start_worker,
                    initargs=(os.getpid(),),
                )
            return self._pool

    def prepare(self) -> None:
        """Start the workers in the background (spawning one takes about a second)."""
        pool = self.pool
        for _ in range(self.workers):
            with _sigint_blocked():
                pool.submit(_ready)

    def submit(self, pages: StoredPages, page: InboxPage, now: datetime) -> Future[None]:
        with _sigint_blocked():  # a worker may be spawned here
            return self.pool.submit(_apply_in_worker, self.database_url, page, now)

    def shutdown(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)


def applier_for(database: Database, workers: int = 1) -> ThreadApplier | ProcessApplier:
    """``workers`` worker processes for a database other processes can open; a thread of
    this process for ``workers=0`` or an in-memory SQLite database."""
    url = database.engine.url
    memory = url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")
    if workers == 0 or memory:
        from concurrent.futures import ThreadPoolExecutor

        return ThreadApplier(ThreadPoolExecutor(1, thread_name_prefix="apply"))
    return ProcessApplier(url.render_as_string(hide_password=False), workers)


@contextmanager
def _sigint_blocked() -> Iterator[None]:
    """SIGINT blocked in this thread while it may spawn a worker: the blocked mask passes to
    the new process through fork and exec, so a Ctrl-C on the terminal (sent to the whole
    process group) cannot interrupt a worker still importing, before its initializer runs
    (issue 11 item 4). Python leaves a blocked signal blocked at start-up; where threads
    have no signal mask (Windows), nothing to do."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _ready() -> None:
    """A no-op a worker runs once started (``ProcessApplier.prepare``)."""


_WORKER_PAGES: dict[str, Behind] = {}  # per worker process: one per database


def _apply_in_worker(database_url: str, page: InboxPage, now: datetime) -> None:
    behind = _WORKER_PAGES.get(database_url)
    if behind is None:
        database = Database.from_url(database_url)
        behind = _WORKER_PAGES[database_url] = Behind(database, parse_events, None)
    behind.apply_stored_page(page, now)


def _start_worker(parent: int) -> None:
    """Worker initializer: load what applying needs, tune the collector, watch the parent.

    Ctrl-C on a terminal interrupts the whole foreground process group: the worker leaves
    it to its parent, which stops the pool (``shutdown``) on its way out, instead of dying
    mid-read with a ``KeyboardInterrupt`` traceback (issue 11 item 4)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import connector.qbxml.parse  # noqa: F401  (imported before the collector's freeze)
    from connector.runtime import tune_process

    tune_process()
    _watch_parent(parent)


def _watch_parent(parent: int, every: float = 1.0) -> None:
    """Exit when the service that started this worker is gone."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
