"""The `docedit` command: a thin shell over the public API (`docedit.api`).

One module per command group: validate.py, render.py (render, mix, subtitles),
schema.py; common.py holds the shared options and the guard that sets the exit status
(see there: 1 a user's mistake, 70 a bug, 130/143 interrupted).
"""

from __future__ import annotations

import signal
from types import FrameType
from typing import Annotated

import typer

from docedit import __version__
from docedit.cli import catalog as catalog_cli
from docedit.cli import delivery, handoff, render, review, schema, validate
from docedit.cli import export as export_cli
from docedit.cli import project as project_cli
from docedit.cli.common import Terminated, internal_error
from docedit.cli.help import NativeGroup

app = typer.Typer(
    name="docedit",
    help="Assemble documentaries from YAML timelines: recorded calls over pictures.",
    no_args_is_help=True,
    add_completion=True,  # docedit --install-completion (bash, zsh, fish, PowerShell)
    pretty_exceptions_enable=False,
    cls=NativeGroup,  # placeholders instead of type tags, an example per command
)
app.command()(validate.validate)
app.command()(render.render)
app.command()(render.mix)
app.command()(render.subtitles)
app.command()(schema.schema)
app.command()(delivery.qc)
app.command()(delivery.verify)
app.command()(catalog_cli.catalog)
app.command()(catalog_cli.plan)
app.command()(handoff.otio)
app.command()(handoff.storyboard)
app.command()(export_cli.export)
app.add_typer(export_cli.cache_app)
app.command()(review.review)
app.command()(project_cli.init)
app.command()(project_cli.info)
app.command()(project_cli.watch)


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
