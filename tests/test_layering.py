"""DESIGN.md: ``connector`` never imports ``qbd_emulator``."""

from __future__ import annotations

import ast
from pathlib import Path

CONNECTOR = Path(__file__).resolve().parent.parent / "connector"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            names.add(str(node.args[0].value))
    return names


def test_connector_never_imports_the_emulator() -> None:
    offenders = sorted(
        f"{path.relative_to(CONNECTOR.parent)} imports {name}"
        for path in CONNECTOR.rglob("*.py")
        for name in _imports(path)
        if name == "qbd_emulator" or name.startswith("qbd_emulator.")
    )
    assert offenders == []


def test_the_check_sees_an_offending_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from qbd_emulator.company import Company\nimport qbd_emulator\n")
    assert {"qbd_emulator.company", "qbd_emulator"} <= _imports(bad)


def _module_name(path: Path) -> str:
    parts = path.relative_to(CONNECTOR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _connector_imports() -> dict[str, set[str]]:
    return {
        _module_name(path): {n for n in _imports(path) if n.split(".")[0] == "connector"}
        for path in CONNECTOR.rglob("*.py")
    }


def _under(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def test_the_qbwc_client_and_server_never_import_each_other() -> None:
    """``connector.qbwc``: ``qwc`` <- ``client`` and ``qwc`` <- ``server``, nothing across."""
    forbidden = {
        "connector.qbwc.client": ("connector.qbwc.server",),
        "connector.qbwc.server": ("connector.qbwc.client",),
        "connector.qbwc.qwc": ("connector.qbwc.client", "connector.qbwc.server"),
    }
    offenders = sorted(
        f"{module} imports {name}"
        for module, names in _connector_imports().items()
        for package, banned in forbidden.items()
        if _under(module, package)
        for name in names
        if any(_under(name, b) for b in banned)
    )
    assert offenders == []
