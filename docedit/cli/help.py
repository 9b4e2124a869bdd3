"""Help that reads like a native tool's: placeholders that say what a value is (`OUT.mp4`,
`NAME`, `DIR`) instead of type tags (`<path>`, `<bool>`, `<list[str]>`), an example under
every command, prose reflowed, and the exit codes under the top-level help.

Applied once to the whole command tree when Typer builds it (`NativeGroup`), so that a
command module only writes its options; an option's own `metavar=` always wins.
"""

from __future__ import annotations

import inspect
from typing import Any

import typer
from typer.core import TyperArgument, TyperGroup, TyperOption

# What each command is for, shown as it would be typed (from a project's folder).
EXAMPLES: dict[str, list[str]] = {
    "validate": ["docedit validate timelines/film.yaml --strict"],
    "render": [
        "docedit render timelines/film.yaml --profile preview -o out/preview.mp4",
        "docedit render timelines/film.yaml --cut short -o out/short.mp4",
    ],
    "mix": ["docedit mix timelines/film.yaml -o out/film.wav --report"],
    "subtitles": ["docedit subtitles timelines/film.yaml -o out/film.en.srt --lang translation"],
    "schema": ["docedit schema -o schema/timeline.schema.json"],
    "qc": ["docedit qc out/film.mp4 --spec ebu-r128"],
    "verify": ["docedit verify out/film.mp4"],
    "catalog": ["docedit catalog timelines/film.yaml --tag doubt --from 2022-03-01"],
    "plan": ["docedit plan timelines/film.yaml --scene opening --json"],
    "otio": ["docedit otio timelines/film.yaml -o out/film.otio"],
    "storyboard": ["docedit storyboard timelines/film.yaml -o out/storyboard.png"],
    "export": ["docedit export timelines/film.yaml --dir out/scenes --jobs 2"],
    "review": ["docedit review timelines/film.yaml -o out/review"],
    "init": ["docedit init mydoc && cd mydoc && docedit watch timelines/mydoc.yaml"],
    "info": ["docedit info timelines/film.yaml --json"],
    "watch": ["docedit watch timelines/film.yaml --scene opening -o out/preview.mp4"],
    "cache": ["docedit cache info", "docedit cache clear"],
    "cache info": ["docedit cache info"],
    "cache clear": ["docedit cache clear"],
    "docedit": [
        "docedit init mydoc",
        "docedit watch mydoc/timelines/mydoc.yaml",
        "docedit render mydoc/timelines/mydoc.yaml -o mydoc/out/mydoc.mp4",
    ],
}

EXIT_CODES = (
    "Exit codes: 0 done; 1 a problem with the input (each said in one line); 2 a usage "
    "error; 70 a bug in docedit (the traceback is saved to a file); 130 interrupted "
    "(Ctrl-C); 141 the reader of the output went away; 143 terminated."
)

# Placeholders by option name; `--output` also by command (what kind of file it writes).
NAMES = {
    "cut": "NAME",
    "scene": "ID",
    "root": "DIR",
    "folder": "DIR",
    "timeline": "TIMELINE.yaml",
    "file": "FILE",
    "crf": "N",
    "jobs": "N",
    "loudness": "LUFS|SPEC",
    "true_peak": "DBTP",
    "spec": "SPEC",
    "rules": "RULES",
    "tag": "TAG",
    "speaker": "NAME",
    "begin": "YYYY-MM-DD",
    "end": "YYYY-MM-DD",
    "text": "WORDS",
    "by": "FIELD",
    "name": "PATTERN",
    "scheduler": "tcp://HOST:PORT",
    "chart": "OUT.png",
    "title": "TITLE",
}
OUTPUTS = {
    "render": "OUT.mp4",
    "watch": "OUT.mp4",
    "mix": "OUT.wav",
    "subtitles": "OUT.srt",
    "schema": "OUT.json",
    "otio": "OUT.otio",
    "storyboard": "OUT.png",
    "review": "DIR",
    "verify": "OUT.mp4",
}


class PlainArgument(TyperArgument):
    """An argument shown by its placeholder alone (Typer adds a `<file>` tag)."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return None


class NativeGroup(TyperGroup):
    """The `docedit` group: reworks the help of every command under it as it is built."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        native("docedit", self)


def examples(name: str) -> str:
    lines = EXAMPLES.get(name, [])
    word = "Example" if len(lines) == 1 else "Examples"
    return f"{word}:\n" + "\n".join(f"  {line}" for line in lines) if lines else ""


def native(name: str, command: Any) -> None:
    """Rework the help of `command` (called `name`) and of every command under it."""
    command.help = _reflow(command.help)
    if command.epilog is None and name in EXAMPLES:
        # The exit codes end it unindented: the help's dedent then keeps the examples'.
        command.epilog = examples(name) + "\n\n" + EXIT_CODES
    prefix = "" if name == "docedit" else f"{name} "
    for sub, inner in getattr(command, "commands", {}).items():
        native(f"{prefix}{sub}", inner)
    for param in command.params:
        _placeholder(name, param)
    original = command.get_params

    def get_params(ctx: typer.Context) -> list[Any]:
        params = original(ctx)
        for param in params:  # the --help option is made here, on first use
            _placeholder(name, param)
        return params

    command.get_params = get_params


def _placeholder(command: str, param: Any) -> None:
    if isinstance(param, TyperArgument):
        param.__class__ = PlainArgument
        if param.metavar is None:
            param.metavar = OUTPUTS.get(command) if param.name == "output" else None
            param.metavar = param.metavar or NAMES.get(param.name, param.name.upper())
        return
    if not isinstance(param, TyperOption) or param.metavar is not None:
        return
    if param.is_flag or param.count:
        param.metavar = ""  # a switch takes no value: nothing to show
    elif param.name == "output":
        param.metavar = OUTPUTS.get(command, "FILE")
    elif param.name in NAMES:
        param.metavar = NAMES[param.name]
    elif param.type_descriptor.is_choice and (choices := param.type_descriptor.choices):
        param.metavar = "|".join(str(getattr(c, "value", c)) for c in choices)
    else:
        param.metavar = param.name.upper()


def _reflow(text: str | None) -> str | None:
    """Docstring paragraphs as one line each (the terminal wraps them)."""
    if not text:
        return text
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(" ".join(p.split()) for p in paragraphs)
