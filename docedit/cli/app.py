"""The `docedit` command: a thin shell over the public API (`docedit.api`).

One module per command group: validate.py, render.py (render, mix, subtitles),
schema.py; common.py holds the shared options and the guard that sets the exit status
(see there: 1 a user's mistake, 70 a bug, 130/143 interrupted).

A command's module is imported only when that command is looked up (`COMMANDS`): running
`docedit catalog` loads neither the renderer's nor the encoder's modules (numpy,
pydantic models of the picture plan...), a third of a second at every start. `--help`
and shell completion look every command up, so they list them all, in this order.
"""

from __future__ import annotations

import importlib
import signal
from collections.abc import Iterator, MutableMapping
from types import FrameType
from typing import Annotated, Any

import typer
from typer.main import get_command_from_info, get_group
from typer.models import CommandInfo

from docedit import __version__
from docedit.cli.common import Terminated, internal_error
from docedit.cli.help import NativeGroup, native

# name -> (module, attribute): a command function, or a Typer app for a group
COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("docedit.cli.validate", "validate"),
    "render": ("docedit.cli.render", "render"),
    "mix": ("docedit.cli.render", "mix"),
    "subtitles": ("docedit.cli.render", "subtitles"),
    "schema": ("docedit.cli.schema", "schema"),
    "qc": ("docedit.cli.delivery", "qc"),
    "verify": ("docedit.cli.delivery", "verify"),
    "catalog": ("docedit.cli.catalog", "catalog"),
    "plan": ("docedit.cli.catalog", "plan"),
    "otio": ("docedit.cli.handoff", "otio"),
    "storyboard": ("docedit.cli.handoff", "storyboard"),
    "export": ("docedit.cli.export", "export"),
    "review": ("docedit.cli.review", "review"),
    "init": ("docedit.cli.project", "init"),
    "info": ("docedit.cli.project", "info"),
    "watch": ("docedit.cli.project", "watch"),
    "cache": ("docedit.cli.export", "cache_app"),  # groups after commands, as Typer lists them
}


class _Commands(MutableMapping[str, Any]):
    """The group's commands by name, each made (its module imported, its Click command
    built, its help reworked) the first time it is looked up."""

    def __init__(self) -> None:
        self.made: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self.made:
            module, attribute = COMMANDS[name]  # KeyError: no such command
            self.made[name] = _make(name, getattr(importlib.import_module(module), attribute))
        return self.made[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self.made[name] = command

    def __delitem__(self, name: str) -> None:
        del self.made[name]

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*COMMANDS, *self.made]))

    def __len__(self) -> int:
        return len(set(COMMANDS) | set(self.made))


def _make(name: str, target: Any) -> Any:
    if isinstance(target, typer.Typer):
        command: Any = get_group(target)
    else:
        command = get_command_from_info(
            CommandInfo(name=name, callback=target),
            pretty_exceptions_short=app.pretty_exceptions_short,
            rich_markup_mode=app.rich_markup_mode,
        )
    native(name, command)
    return command


class LazyGroup(NativeGroup):
    """The `docedit` group, its commands made on first use."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = _Commands()


app = typer.Typer(
    name="docedit",
    help="Assemble documentaries from YAML timelines: recorded calls over pictures.",
    no_args_is_help=True,
    add_completion=True,  # docedit --install-completion (bash, zsh, fish, PowerShell)
    pretty_exceptions_enable=False,
    cls=LazyGroup,  # placeholders instead of type tags, an example per command
)


@app.callback(invoke_without_command=True)
def _root(
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    if version:
        print(f"docedit {__version__}")
        raise typer.Exit(0)


def _terminate(_signum: int, _frame: FrameType | None) -> None:
    raise Terminated


def main() -> None:
    signal.signal(signal.SIGTERM, _terminate)
    try:
        app(prog_name="docedit")  # not "python -m docedit": the name a user types
    except Exception as failure:  # outside a command (its guard handles its own): a bug
        internal_error(failure)
