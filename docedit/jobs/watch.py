"""`docedit watch`: validate and re-render the preview on every save.

The OS tells us about changes (watchfiles: inotify, FSEvents, ReadDirectoryChangesW);
nothing is polled by hand. We watch the folders of the timeline and of every file it
uses, not the files: editors save by writing a new file and renaming it over the old
one, which a watch on the file itself would lose. A burst of saves (an editor's
"save all", a copy of ten stills) arrives as one set of changes and gives one pass.

Each pass validates (findings are reported at once), then renders through the ordinary
render job with both caches on, so only the sound and picture segments that changed are
made again; the render writes a temporary file and renames it over the output, so a
player pointed at the output never reads half a file. A timeline that does not
validate (a half-typed line) is reported and waited out: the process stays alive.
"""

from __future__ import annotations

import fnmatch
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from docedit.core.errors import DoceditError, Finding, Severity, TimelineError, first_line
from docedit.jobs.render import RenderResult, render
from docedit.jobs.segments import SegmentCache
from docedit.jobs.soundcache import SoundCache
from docedit.jobs.soundjob import SoundJob
from docedit.jobs.validate import validate
from docedit.timeline.format import StillsPicture
from docedit.timeline.project import Project

if TYPE_CHECKING:
    from watchfiles._rust_notify import RustNotify

STEP_MS = 50  # a change is yielded once this long passes with no further change
DEBOUNCE_MS = 1600  # ... or after this long, however busy the folder is
TIMEOUT_MS = 1000  # how often the wait wakes up to let Python see Ctrl-C


@dataclass(frozen=True)
class Pass:
    """What one save led to: findings, then a render, or why there was none."""

    changed: list[Path]
    findings: list[Finding]
    result: RenderResult | None = None
    error: str | None = None  # a render that failed on the user's input or media
    seconds: float = 0.0  # from the pass's start to the output renamed into place

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.ERROR)


@dataclass
class Watcher:
    timeline: Path
    out: Path
    cut: str | None = None
    scenes: Sequence[str] = ()
    profile: str = "preview"
    files: set[Path] = field(default_factory=set)  # every file the timeline uses
    patterns: list[str] = field(default_factory=list)  # its globs, absolute
    _sound: SoundJob | None = None

    def __post_init__(self) -> None:
        self.timeline = Path(os.path.abspath(self.timeline))
        self.out = Path(os.path.abspath(self.out))
        self.files = {self.timeline}

    def run(self, report: Callable[[Pass], None]) -> None:
        """Render once, then once per burst of changes, until Ctrl-C (KeyboardInterrupt).

        The OS watch starts before the first validation reads the timeline, so that a
        save made while a pass runs is never lost: it makes the next pass."""
        if not self.timeline.is_file():  # nothing to wait for: say so and stop
            raise TimelineError(validate(self.timeline).findings)
        changed: list[Path] = []
        folders: list[Path] = []
        notify: RustNotify | None = None
        try:
            while True:
                now = self.folders()
                if now != folders:  # the first pass, or a new asset folder
                    folders, old = now, notify
                    notify = _notify(folders)
                    if old is not None:
                        old.close()
                report(self.cycle(changed))
                changed = self._wait(notify)
        finally:
            if notify is not None:
                notify.close()
            if self._sound is not None:
                self._sound.stop()

    def _wait(self, notify: RustNotify | None) -> list[Path]:
        """The files of the next burst of changes that matter (blocks until there is one)."""
        assert notify is not None
        while True:
            raw = notify.watch(DEBOUNCE_MS, STEP_MS, TIMEOUT_MS, None)
            if raw == "signal":
                raise KeyboardInterrupt
            if raw == "stop" or raw == "timeout":
                continue
            wanted = {Path(name) for _change, name in raw if self.wanted(Path(name))}
            if wanted:
                return sorted(wanted)

    def cycle(self, changed: list[Path]) -> Pass:
        """Validate, then render if the timeline is usable."""
        start = time.perf_counter()
        report = validate(self.timeline)
        if report.project is None or report.errors:
            return Pass(changed, report.findings)
        self._learn(report.project)
        sound, self._sound = self._sound or SoundJob.spawn(), None
        self.out.parent.mkdir(parents=True, exist_ok=True)
        try:
            result = render(
                report.project,
                self.out,
                cut=self.cut,
                scenes=self.scenes,
                profile=self.profile,
                sound=sound,
                cache=SoundCache(),
                segments=SegmentCache(),
            )
        except DoceditError as failure:
            return Pass(changed, report.findings, error=first_line(failure, "render failed"))
        finally:
            self._sound = SoundJob.spawn()  # warm (imports done) for the next save
        return Pass(changed, report.findings, result, seconds=time.perf_counter() - start)

    def wanted(self, path: Path) -> bool:
        """A change to this file is one to act on: a file the timeline uses, or one a
        glob of it may now match (a still added to a folder)."""
        name = os.path.abspath(path)
        if Path(name) in self.files:
            return True
        return any(fnmatch.fnmatch(name, pattern) for pattern in self.patterns)

    def folders(self) -> list[Path]:
        folders = {path.parent for path in self.files}
        folders |= {Path(pattern).parent for pattern in self.patterns}
        return sorted(folder for folder in folders if folder.is_dir())

    def _learn(self, project: Project) -> None:
        """The files of the timeline as it now stands (a save may add or drop some)."""
        self.files = {self.timeline, *project.media, *project.text_paths(), *_catalogs(project)}
        self.patterns = [
            str(project.path(picture.glob))
            for scene in project.timeline.scenes.values()
            for picture in scene.pictures
            if isinstance(picture, StillsPicture)
        ]


def _catalogs(project: Project) -> Iterable[Path]:
    if project.marks is not None:
        yield from (Path(os.path.abspath(m.path)) for m in project.marks.included.values())


def _notify(folders: list[Path]) -> RustNotify:
    """watchfiles' watcher (its documented Rust backend, as `watchfiles.watch` uses it):
    made here rather than inside `watch()`'s generator, so that it is watching before
    the pass that reads the files; it gathers changes while a pass renders."""
    from watchfiles._rust_notify import RustNotify

    return RustNotify([str(f) for f in folders], False, False, 300, False, False)
