"""The import direction: ``connector`` never imports ``qbd_emulator`` (DESIGN.md), and inside
``connector`` imports run one way down the layers (issue 9)."""

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


LAYERS: tuple[tuple[str, ...], ...] = (
    # pure values and the edges everything may use
    (
        "connector.qbxml",
        "connector.qbwc_state",
        "connector.secrets",
        "connector.runtime",
        "connector.logbounds",
        "connector.spyne_compat",
        "connector.private_files",
    ),
    ("connector.processors",),
    ("connector.store",),
    ("connector.settings",),
    ("connector.qbwc",),
    ("connector.sync",),
    ("connector.portal",),
    ("connector.api",),
    ("connector.demo", "connector.agent"),
    ("connector.demo_agent",),
    ("connector.cli",),
    ("connector.__main__",),
)
"""Bottom first: qbxml <- store <- settings <- qbwc <- sync <- portal <- api <- cli. A module may import
its own part and the parts of lower rows, never a higher row nor another part of its row."""


def _part(module: str) -> tuple[int, str]:
    for rank, row in enumerate(LAYERS):
        for part in row:
            if _under(module, part):
                return rank, part
    raise AssertionError(f"{module} is in no row of LAYERS: add it where it belongs")


def _upward(imports: dict[str, set[str]]) -> list[str]:
    offenders = []
    for module, names in imports.items():
        if module == "connector":
            continue
        rank, part = _part(module)
        for name in sorted(names - {"connector"}):
            their_rank, their_part = _part(name)
            if their_part != part and their_rank >= rank:
                offenders.append(f"{module} imports {name}")
    return sorted(offenders)


def test_imports_run_one_way_down_the_layers() -> None:
    assert _upward(_connector_imports()) == []


def test_the_layer_check_sees_an_upward_and_a_sideways_import() -> None:
    imports = {
        "connector.store.connections": {"connector.settings", "connector.qbxml.safexml"},
        "connector.qbwc_state": {"connector.secrets"},
        "connector.qbwc.server.service": {"connector.store.db", "connector.qbwc.qwc"},
    }
    assert _upward(imports) == [
        "connector.qbwc_state imports connector.secrets",
        "connector.store.connections imports connector.settings",
    ]


QBWC_FORBIDDEN = {
    "connector.qbwc.client": ("connector.qbwc.server",),
    "connector.qbwc.server": ("connector.qbwc.client",),
    "connector.qbwc.qwc": ("connector.qbwc.client", "connector.qbwc.server"),
}
"""Inside ``connector.qbwc``: ``qwc`` <- ``client`` and ``qwc`` <- ``server``, nothing across."""


def _across(imports: dict[str, set[str]]) -> list[str]:
    return sorted(
        f"{module} imports {name}"
        for module, names in imports.items()
        for package, banned in QBWC_FORBIDDEN.items()
        if _under(module, package)
        for name in names
        if any(_under(name, b) for b in banned)
    )


def test_the_qbwc_client_and_server_never_import_each_other() -> None:
    assert _across(_connector_imports()) == []


def test_the_qbwc_check_sees_a_crossing() -> None:
    imports = {
        "connector.qbwc.client.runner": {"connector.qbwc.server.session", "connector.qbwc.qwc"},
        "connector.qbwc.qwc.model": {"connector.qbwc.client.summary"},
        "connector.qbwc.server.service": {"connector.qbwc.qwc.model"},
    }
    assert _across(imports) == [
        "connector.qbwc.client.runner imports connector.qbwc.server.session",
        "connector.qbwc.qwc.model imports connector.qbwc.client.summary",
    ]
