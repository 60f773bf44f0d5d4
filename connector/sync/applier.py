"""Where pages stored in the inbox are applied: a thread pool, or a worker process.

Owns: the two ``connector.sync.engine.Applier`` implementations. ``ThreadApplier`` runs
``SyncEngine.apply_stored_page`` on an executor of this process (tests, in-memory
databases). ``ProcessApplier`` runs it in a worker process with its own connection to the
same database, so a service parsing and storing a page uses a second core while its own
process answers the Web Connector (the SOAP work and the applying no longer share one
interpreter lock). The worker ends when its parent does (it watches its parent's pid, since
a killed service cannot tell it to). Must not: decide what is applied (the engine does).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from datetime import datetime

from connector.store.db import Database
from connector.store.inbox import InboxPage
from connector.sync.engine import SyncEngine


class ThreadApplier:
    """Applies on ``executor`` (a thread pool, or anything with ``submit``) in this process."""

    def __init__(self, executor: Executor) -> None:
        self.executor = executor

    def prepare(self) -> None:
        """Nothing to start: the executor's threads start with their first page."""

    def submit(self, engine: SyncEngine, page: InboxPage, now: datetime) -> Future[None]:
        return self.executor.submit(engine.apply_stored_page, page, now)

    def shutdown(self) -> None:
        """Finish the page being applied, then stop the thread."""
        self.executor.shutdown(wait=True)


class ProcessApplier:
    """Applies in ``workers`` worker processes that connect to ``database_url`` themselves
    (a file or server database: an in-memory SQLite database cannot be shared). The pool
    (its pipes, semaphores and processes) starts with the first session (``prepare``) or
    page, so a service that never syncs holds none of it. Pages of one company are applied
    one at a time (the engine waits for one before storing the next); more workers serve
    more companies at once."""

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
            pool.submit(_ready)

    def submit(self, engine: SyncEngine, page: InboxPage, now: datetime) -> Future[None]:
        return self.pool.submit(_apply_in_worker, self.database_url, page, now)

    def shutdown(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)


def _ready() -> None:
    """A no-op a worker runs once started (``ProcessApplier.prepare``)."""


_ENGINES: dict[str, SyncEngine] = {}  # per worker process: one engine per database


def _apply_in_worker(database_url: str, page: InboxPage, now: datetime) -> None:
    engine = _ENGINES.get(database_url)
    if engine is None:
        engine = _ENGINES[database_url] = SyncEngine(Database.from_url(database_url))
    engine.apply_stored_page(page, now)


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


def applier_for(database: Database, workers: int = 1) -> ThreadApplier | ProcessApplier:
    """``workers`` worker processes for a database other processes can open; a thread of
    this process for ``workers=0`` or an in-memory SQLite database."""
    url = database.engine.url
    memory = url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")
    if workers == 0 or memory:
        from concurrent.futures import ThreadPoolExecutor

        return ThreadApplier(ThreadPoolExecutor(1, thread_name_prefix="apply"))
    return ProcessApplier(url.render_as_string(hide_password=False), workers)
