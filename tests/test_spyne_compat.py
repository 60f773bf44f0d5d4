"""connector.spyne_compat: spyne imports on this Python (CI runs this module, and the protocol
and end-to-end tests that serve SOAP through spyne, on 3.11, 3.12 and 3.13), and the hook
changes nothing where nothing needs changing."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import types
from importlib.machinery import ModuleSpec

import pytest

from connector import spyne_compat

REPO_ROOT = str(spyne_compat.__file__).rsplit("/connector/", 1)[0]


def run(code: str) -> dict[str, object]:
    """``code`` in a fresh interpreter with every warning an error; its last line, as JSON."""
    proc = subprocess.run(
        [sys.executable, "-W", "error", "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO_ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def test_spyne_imports_and_its_six_moves_resolve_on_this_python() -> None:
    result = run(
        """
        import json, sys, warnings
        import connector  # installs the hook, as every entry point does
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # cgi on 3.11 / 3.12
            import spyne
            from spyne.server.wsgi import WsgiApplication
            from spyne.protocol.soap import Soap11
        from spyne.util.six.moves import urllib
        from spyne.util.six.moves.urllib.parse import quote
        importer = type(sys.modules["spyne.util.six"]._importer)
        try:
            import no_such_module_after_spyne  # 3.10/3.11 warned here (ImportWarning)
        except ModuleNotFoundError:
            pass
        print(json.dumps({
            "spyne": spyne.__version__,
            "quote": quote("a b"),
            "patched": importer.find_spec.__qualname__.startswith("add_find_spec"),
            "repr": repr(sys.modules["spyne.util.six.moves"]).startswith("<module"),
        }))
        """
    )
    assert result["quote"] == "a%20b" and result["repr"] is True
    # spyne 2.14.0 needs the repair; a release with arskom/spyne#704 would be left alone.
    assert result["patched"] is (result["spyne"] == "2.14.0")


def test_a_six_that_has_find_spec_is_left_alone() -> None:
    class ModernImporter:
        def find_spec(self, fullname: str, path: object, target: object = None) -> None:
            return None

    six = types.ModuleType("six_like")
    six._importer = ModernImporter()  # type: ignore[attr-defined]
    before = dict(vars(ModernImporter))
    assert spyne_compat.add_find_spec(six) is False
    assert dict(vars(ModernImporter)) == before


def test_a_module_without_an_importer_is_left_alone() -> None:
    assert spyne_compat.add_find_spec(types.ModuleType("six_without_importer")) is False


def test_an_old_six_importer_gets_the_pep451_methods() -> None:
    class OldImporter:  # six < 1.16: PEP 302 only
        def __init__(self) -> None:
            self.known_modules: dict[str, types.ModuleType] = {}

        def load_module(self, fullname: str) -> types.ModuleType:
            module = self.known_modules[fullname]
            sys.modules[fullname] = module
            return module

    six = types.ModuleType("old_six")
    six._importer = importer = OldImporter()  # type: ignore[attr-defined]
    moved = types.ModuleType("old_six.moves")
    importer.known_modules["old_six.moves"] = moved
    assert spyne_compat.add_find_spec(six) is True
    spec = importer.find_spec("old_six.moves", None)  # type: ignore[attr-defined]
    assert isinstance(spec, ModuleSpec) and spec.loader is importer
    assert importer.find_spec("elsewhere", None) is None  # type: ignore[attr-defined]
    try:
        assert importer.create_module(spec) is moved  # type: ignore[attr-defined]
    finally:
        sys.modules.pop("old_six.moves", None)
    assert spyne_compat.add_find_spec(six) is False  # once is enough


def test_install_is_idempotent_and_first_on_the_meta_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        sys, "meta_path", [f for f in sys.meta_path if f.__class__.__name__ != "SixHook"]
    )
    spyne_compat.install()
    spyne_compat.install()
    hooks = [f for f in sys.meta_path if isinstance(f, spyne_compat.SixHook)]
    assert len(hooks) == 1 and sys.meta_path[0] is hooks[0]
    assert hooks[0].find_spec("json", None) is None  # every other name passes through
