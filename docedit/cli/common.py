"""What every command shares: its options, printing findings, and the guard that turns
a failure into an exit status.

Exit codes: 0 success, 1 invalid input or a failed job (a `DoceditError`, or an OS error
about the user's own files: one line each), 2 a usage error (Click's own), 70 an internal
error (a bug: the traceback is saved to a file and named), 130 interrupted, 143 SIGTERM,
141 (128 + SIGPIPE, quietly) when whoever reads the output stops reading it, as in
`docedit catalog T.yaml | head`: what `cat`, `grep` or `git` exit with there.
"""

from __future__ import annotations

import errno
import functools
import inspect
import math
import os
import select
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, NoReturn, ParamSpec

import typer
from rich.console import Console

from docedit.cli.crash import save_traceback
from docedit.core.errors import (
    DoceditError,
    Finding,
    OutputError,
    Severity,
    TimelineError,
    first_line,
)
from docedit.timeline.confine import confined

EXIT_INPUT = 1
EXIT_INTERNAL = 70  # EX_SOFTWARE in sysexits.h
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 128 + signal.SIGTERM
EXIT_PIPE = 128 + signal.SIGPIPE  # the reader of stdout went away: a normal end

err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)
P = ParamSpec("P")

TimelineArg = Annotated[
    Path, typer.Argument(help="The timeline YAML file.", dir_okay=False, show_default=False)
]

CutOpt = Annotated[str | None, typer.Option("--cut", help="Play a named cut from `cuts:`.")]
SceneOpt = Annotated[
    list[str] | None,
    typer.Option("--scene", help="Play only this scene (repeat for several, in that order)."),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")]
LessOpt = Annotated[
    bool, typer.Option("--quiet", "-q", help="Say less: no progress, no warnings (errors still).")
]
VerboseOpt = Annotated[
    bool,
    typer.Option(
        "--verbose", "-v", help="Say more: how long it took, and a bug's traceback in full."
    ),
]
QUIET, NORMAL, VERBOSE = 0, 1, 2
verbosity = NORMAL  # set by the guard from -q/-v, for every command
RootOpt = Annotated[
    Path | None,
    typer.Option(
        "--root",
        help="Confine the timeline: every file it names must lie in DIR, symlinks resolved. "
        "On by default when CI or DOCEDIT_ROOT is set (root: $DOCEDIT_ROOT, else the git "
        "work tree of the timeline, else the current folder).",
        file_okay=False,
        show_default=False,
    ),
]


class Terminated(KeyboardInterrupt):
    """SIGTERM (a CI job cancelled, a service stopping), unwound like Ctrl-C so that
    workers are stopped and temporary files removed."""


def print_findings(findings: Iterable[Finding]) -> None:
    for finding in findings:
        if verbosity == QUIET and finding.severity is not Severity.ERROR:
            continue  # -q: errors only
        if err.is_terminal:
            style = "red" if finding.severity is Severity.ERROR else "yellow"
            err.print(f"[{style}]{finding}[/]", markup=True, highlight=False)
        else:
            print(finding, file=sys.stderr)


def require_suffix(path: Path, suffixes: tuple[str, ...], option: str) -> None:
    """A bad output suffix is invalid input (the contract: exit 1, one line), checked
    before any work."""
    if path.suffix.lower() not in suffixes:
        raise OutputError(f"{option} must end in {' or '.join(suffixes)}: {path}")


_defaults: list[Path] = []  # outputs a command worked out itself, e.g. ./<timeline>.mp4


def default_output(path: Path) -> Path:
    """Count an output the command named itself as the user's, like one they typed."""
    _defaults.append(path)
    return path


def guarded(command: Callable[P, None]) -> Callable[P, None]:
    """Run a command so that no failure shows a bare traceback: the user's mistakes
    become one line and exit 1, an interruption exits 130/143, and anything else is
    reported as a bug (exit 70) with its traceback saved to a file."""

    own = inspect.signature(command).parameters
    takes_root = "timeline" in own
    added = {"quiet": LessOpt, "verbose": VerboseOpt} | ({"root": RootOpt} if takes_root else {})
    added = {name: option for name, option in added.items() if name not in own}

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        _defaults.clear()
        extra = {name: kwargs.pop(name, None) for name in added}
        root = extra.get("root")
        _set_verbosity(bool(kwargs.get("quiet", extra.get("quiet"))), bool(extra.get("verbose")))
        started = time.perf_counter()
        try:
            with confined(root if isinstance(root, Path) else None):
                command(*args, **kwargs)
            if verbosity == VERBOSE:
                print(f"done in {time.perf_counter() - started:.2f}s", file=sys.stderr)
        except (typer.Exit, typer.Abort, typer.exceptions.TyperException):
            raise  # an exit status already chosen, or a usage error: Typer reports them
        except TimelineError as failure:
            print_findings(failure.findings)
            errors = sum(1 for f in failure.findings if f.severity is Severity.ERROR)
            _fail(EXIT_INPUT, f"{errors} error(s)")
        except DoceditError as failure:
            _fail(EXIT_INPUT, f"error: {first_line(failure, type(failure).__name__)}")
        except Terminated:
            _fail(EXIT_TERMINATED, "terminated")
        except KeyboardInterrupt:
            _fail(EXIT_INTERRUPTED, "interrupted")
        except BrokenPipeError as failure:
            if not stdout_closed():
                internal_error(failure)  # a pipe of ours (ffmpeg's stdin): a real failure
            quiet_pipe_end()
        except OSError as failure:
            if not UsersPaths.of(kwargs).own(failure):
                internal_error(failure)
            _fail(EXIT_INPUT, f"error: {_os_message(failure)}")
        except Exception as failure:
            internal_error(failure)

    # Said once here: -q/-v on every command, --root on every one that reads a timeline.
    _add_options(run, command, added)
    return run


def _set_verbosity(quiet: bool, verbose: bool) -> None:
    global verbosity
    verbosity = VERBOSE if verbose else QUIET if quiet else NORMAL


def _add_options(
    run: Callable[..., None], command: Callable[..., None], added: Mapping[str, object]
) -> None:
    """Show Typer options on `run` that `command` itself does not take."""
    signature = inspect.signature(command, eval_str=True)
    extra = [
        inspect.Parameter(
            name,
            inspect.Parameter.KEYWORD_ONLY,
            default=False if name != "root" else None,
            annotation=option,
        )
        for name, option in added.items()
    ]
    run.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[*signature.parameters.values(), *extra]
    )
    run.__annotations__ = {**run.__annotations__, **added}


def internal_error(failure: BaseException) -> NoReturn:
    """A bug: say so in one line, keep the whole traceback in a file, exit 70."""
    saved = save_traceback(failure)
    if verbosity == VERBOSE:
        traceback.print_exception(failure, file=sys.stderr)
    message = first_line(failure)
    what = f"{type(failure).__name__}: {message}" if message else type(failure).__name__
    where = f"The traceback is in {saved}" if saved else "The traceback is above"
    _fail(EXIT_INTERNAL, f"internal error: {what}; this is a bug in docedit. {where}")


def stdout_closed() -> bool:
    """Whether stdout is a pipe nobody reads any more (poll reports an error on it)."""
    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(events & select.POLLERR for _fd, events in poller.poll(0))
    except (AttributeError, OSError, ValueError):
        return False


def quiet_pipe_end() -> NoReturn:
    """End as a program killed by SIGPIPE would, without a word: stdout now points at
    /dev/null so that Python's own flush at exit cannot complain about the pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    raise typer.Exit(EXIT_PIPE)


def _fail(code: int, message: str) -> NoReturn:
    said = "; nothing " in message  # the stage said it already ("; nothing was rendered")
    print(message if said else f"{message}; nothing written", file=sys.stderr)
    raise typer.Exit(code)


def _os_message(failure: OSError) -> str:
    """`PATH: reason`, as the shell says it."""
    name = failure.filename if failure.filename is not None else failure.filename2
    reason = failure.strerror or first_line(failure, type(failure).__name__)
    return f"{os.fsdecode(name)}: {reason}" if isinstance(name, str | bytes) else reason


@dataclass(frozen=True)
class UsersPaths:
    """The files of this command: an OS error about one of them is the user's to fix
    (exit 1, one line); about any other file it is a bug in docedit."""

    named: frozenset[Path]  # every path on the command line, and the outputs
    outputs: frozenset[Path]
    timeline_folder: Path | None

    @classmethod
    def of(cls, arguments: dict[str, object]) -> UsersPaths:
        typed = [v for value in arguments.values() for v in _listed(value) if isinstance(v, Path)]
        timeline = arguments.get("timeline")
        outputs = [p for p in [*typed, *_defaults] if p != timeline]
        words = [part for word in sys.argv[1:] for part in word.split("=", 1) if part]
        named: list[str | os.PathLike[str]] = [*typed, *outputs, *words]
        return cls(
            frozenset(map(_absolute, named)),
            frozenset(map(_absolute, outputs)),
            _absolute(timeline).parent if isinstance(timeline, Path) else None,
        )

    def own(self, failure: OSError) -> bool:
        """The path itself, a folder above an output (missing or read-only), an
        output's sibling (its temporary name), anything under the timeline's folder
        (its media and transcripts), or a full disk."""
        if failure.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        names = [n for n in (failure.filename, failure.filename2) if isinstance(n, str | bytes)]
        return any(self._owns(_absolute(os.fsdecode(name))) for name in names)

    def _owns(self, path: Path) -> bool:
        if path in self.named:
            return True
        if any(out.is_relative_to(path) or out.parent == path.parent for out in self.outputs):
            return True
        return self.timeline_folder is not None and path.is_relative_to(self.timeline_folder)


def _listed(value: object) -> list[object]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _absolute(path: str | os.PathLike[str]) -> Path:
    return Path(os.path.abspath(path))


def level(value: float, unit: str) -> str:
    """A loudness or peak for people: `-16.0 LUFS`, `-inf` for silence."""
    return "-inf" if value == -math.inf else f"{value:.1f} {unit}"
