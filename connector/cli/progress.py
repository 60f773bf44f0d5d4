"""Progress bars on a terminal: one rich bar per named task, on stderr; nothing when piped.

``Bars(enabled=sys.stderr.isatty())`` as a context manager; ``show(name, done, total)``
adds or moves the bar called ``name`` (``total`` ``None``: not known yet). Must not: print to
stdout (the commands' output stays clean for pipes).
"""

from __future__ import annotations

from typing import Any, Self


class Bars:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._progress: Any = None
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> Self:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self._progress = Progress(
                TextColumn("{task.description:<26}"),
                BarColumn(),
                MofNCompleteColumn(),
                console=Console(stderr=True),
            )
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def show(self, name: str, done: int, total: int | None = None) -> None:
        if self._progress is None:
            return
        task = self._tasks.get(name)
        if task is None:
            task = self._tasks[name] = self._progress.add_task(name, total=total)
        whole = None if total is None else max(total, done)
        self._progress.update(task, completed=done, total=whole)
