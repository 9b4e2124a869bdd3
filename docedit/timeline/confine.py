"""Confinement: every file a timeline names must lie inside a project root.

A timeline can name any path, and a transcript is burned into the picture, so a timeline
from a pull request that says `transcript: ~/.ssh/id_rsa` would print a private file into
a CI artifact. Under confinement every source, transcript, include and glob result, after
resolving symlinks, must lie inside the root, or validation fails at its line; such a
file is never opened.

It is on when a root is given (`--root DIR`, or `confined(root)` around API calls), when
`DOCEDIT_ROOT` is set, or when CI is detected (`CI` set, as every CI service does). The
root is then `--root`, else `$DOCEDIT_ROOT`, else the top of the git work tree holding the
timeline, else the current folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

ENV_ROOT = "DOCEDIT_ROOT"
_given: ContextVar[Path | None] = ContextVar("docedit_root", default=None)


@contextmanager
def confined(root: Path | str | None) -> Iterator[None]:
    """Confine the timelines read inside the block to `root` (None: as the environment says)."""
    token = _given.set(Path(root) if root is not None else None)
    try:
        yield
    finally:
        _given.reset(token)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def git_top(start: Path) -> Path | None:
    """The top of the git work tree holding `start` (a folder with `.git`), if any."""
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


@dataclass(frozen=True)
class Root:
    """The folder every file must lie in, symlinks resolved."""

    path: Path

    def admits(self, path: Path) -> bool:
        return Path(os.path.realpath(path)).is_relative_to(self.path)

    def refusal(self, path: Path) -> str:
        real = Path(os.path.realpath(path))
        via = f" (a link to {real})" if real != Path(os.path.abspath(path)) else ""
        return (
            f"outside the project root {self.path}{via}: move it inside or pass --root"
            " (a timeline may only use files under its root)"
        )


def root_for(timeline: Path) -> Root | None:
    """The root confining `timeline`, or None when confinement is off."""
    given = _given.get()
    env = os.environ.get(ENV_ROOT, "").strip()
    if given is None and not env and not in_ci():
        return None
    folder = Path(os.path.abspath(timeline)).parent
    chosen = given or (Path(env) if env else None) or git_top(folder) or Path.cwd()
    return Root(Path(os.path.realpath(os.path.expanduser(chosen))))
