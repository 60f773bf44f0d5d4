"""spyne 2.14 on Python 3.12 and 3.13: the import hook that repairs its vendored ``six``.

Owns: making ``import spyne`` work on every Python the project supports (3.11, 3.12, 3.13).
``connector/__init__.py`` calls ``install()``, so the hook is in place before anything in the
service, the CLI, a spawned page worker or a packaged executable can import spyne (each of them
imports a ``connector`` module first). Must not: import spyne itself, or change a spyne that no
longer needs it.

- spyne 2.14.0 (its latest release, 2022) vendors an old ``six`` (``spyne/util/six.py``) whose
  meta-path importer, ``_SixMetaPathImporter``, has only PEP 302's ``find_module`` and
  ``load_module``. Python 3.12 no longer falls back to ``find_module``, so
  ``spyne.util.six.moves`` is not found and ``import spyne`` fails; 3.10 and 3.11 fall back but
  raise an ``ImportWarning`` on every later failed import in the process. six itself added
  ``find_spec``/``create_module``/``exec_module`` in 1.16 (benjaminp/six#352); spyne updated its
  copy in its main branch (arskom/spyne#704, December 2023; issues #700, #708, #711) but has not
  released it. This hook adds the same three methods to the importer's class as soon as
  ``spyne.util.six`` has run, before spyne first imports from ``six.moves``; when the class
  already has ``find_spec`` (a spyne release with the fix), it does nothing.
- spyne also imports ``cgi`` (``spyne.server.wsgi``, ``spyne.protocol.soap.soap11``), which
  Python 3.13 removed (PEP 594): the ``legacy-cgi`` distribution, a dependency for
  Python >= 3.13 only (pyproject.toml), restores it; nothing to do at run time.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

SIX = "spyne.util.six"


def add_find_spec(six: ModuleType) -> bool:
    """Give ``six``'s meta-path importer class the PEP 451 methods it lacks (six 1.16's own
    code); ``False``, changing nothing, when it has ``find_spec`` already or is not there."""
    importer = getattr(six, "_importer", None)
    if importer is None or hasattr(importer, "find_spec"):
        return False
    cls = type(importer)

    def find_spec(
        self: Any, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname in self.known_modules:
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self: Any, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module: ModuleType = self.load_module(spec.name)
        return module

    def exec_module(self: Any, module: ModuleType) -> None:
        pass  # load_module (called by create_module) did all there is to do

    cls.find_spec = find_spec
    cls.create_module = create_module
    cls.exec_module = exec_module
    return True


class _PatchingLoader(importlib.abc.Loader):
    """The loader of ``spyne.util.six``, then ``add_find_spec`` on the module it ran."""

    def __init__(self, loader: importlib.abc.Loader) -> None:
        self._loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        add_find_spec(module)

    def __getattr__(self, name: str) -> Any:  # get_source, get_filename, ... for tracebacks
        return getattr(self._loader, name)


class SixHook(importlib.abc.MetaPathFinder):
    """On ``sys.meta_path``: finds ``spyne.util.six`` through the other finders (plain files,
    zip imports, a frozen executable's) and wraps its loader; passes on every other name."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != SIX:
            return None
        for finder in sys.meta_path:
            if isinstance(finder, SixHook) or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None:
                    spec.loader = _PatchingLoader(spec.loader)
                return spec
        return None


def install() -> None:
    """Put the hook first on ``sys.meta_path`` (once); repair a six that was already loaded."""
    if not any(isinstance(finder, SixHook) for finder in sys.meta_path):
        sys.meta_path.insert(0, SixHook())
    loaded = sys.modules.get(SIX)
    if loaded is not None:
        add_find_spec(loaded)
