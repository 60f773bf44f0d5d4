"""The lists of routers and command modules name every module there is (issue 9 item 5).

The lists import each module by name, so a missing one fails at import; these tests catch the
other half: a new ``routes_*.py`` or ``*_cmd.py`` module nobody added to its list.
"""

from __future__ import annotations

from pathlib import Path

import connector.api as api_package
import connector.cli as cli_package
import qbd_emulator.commands as emulator_commands
from connector.api.app import ROUTERS
from connector.cli import command_modules
from qbd_emulator.cli import COMMAND_MODULES


def _stems(package: object, pattern: str) -> set[str]:
    folder = Path(package.__file__).parent  # type: ignore[attr-defined]
    return {path.stem for path in folder.glob(pattern)}


def test_every_routes_module_is_included() -> None:
    included = {id(router) for router, _prefix in ROUTERS}
    missing = []
    for stem in sorted(_stems(api_package, "routes_*.py")):
        module = __import__(f"connector.api.{stem}", fromlist=["router"])
        if id(module.router) not in included:
            missing.append(stem)
    assert missing == []


def test_every_command_module_is_listed() -> None:
    listed = {module.__name__.rsplit(".", 1)[1] for module in command_modules()}  # type: ignore[attr-defined]
    assert listed == _stems(cli_package, "*_cmd.py")


def test_every_emulator_command_module_is_listed() -> None:
    listed = {module.__name__.rsplit(".", 1)[1] for module in COMMAND_MODULES}  # type: ignore[attr-defined]
    assert listed == _stems(emulator_commands, "*_cmd.py")
