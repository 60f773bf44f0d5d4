"""Shared test fixtures: where the reference artifacts are, and the PostgreSQL URL."""

from __future__ import annotations

import importlib.abc
import warnings
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.refpaths import REFERENCE, REPO, reference_path  # noqa: F401  (re-exported)

pytest_plugins = ["tests.conftest_db"]  # database fixtures (db, backend, ...) for every package


class _SixLoader(importlib.abc.Loader):
    """A PEP 451 face on six's legacy ``load_module`` (which does the work in ``create_module``)."""

    def __init__(self, importer: Any) -> None:
        self._importer = importer

    def create_module(self, spec: ModuleSpec) -> ModuleType:
        module: ModuleType = self._importer.load_module(spec.name)
        return module

    def exec_module(self, module: ModuleType) -> None:
        return None


def _give_six_importer_find_spec() -> None:
    """spyne 2.14 bundles an old ``six`` whose importer on ``sys.meta_path`` has no
    ``find_spec``: pytest's importlib import mode calls ``find_spec`` on every meta path
    entry and fails on it once spyne is imported. Give it the PEP 451 method it lacks."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from spyne.util import six

    importer: Any = six._SixMetaPathImporter
    if hasattr(importer, "find_spec"):
        return

    def find_spec(
        self: Any, fullname: str, path: object = None, target: object = None
    ) -> ModuleSpec | None:
        if self.find_module(fullname) is None:
            return None
        return ModuleSpec(fullname, _SixLoader(self), is_package=self.is_package(fullname))

    importer.find_spec = find_spec


_give_six_importer_find_spec()


@pytest.fixture
def reference() -> Path:
    if not REFERENCE.exists():
        pytest.skip(f"{REFERENCE} is absent (../shared/reference not beside the checkout)")
    return REFERENCE
