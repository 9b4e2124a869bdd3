"""The sound of a render (mix, loudness, AAC), made in a second process.

A thread would stall the frame loop, so the sound gets its own process. It is started
*before* the timeline is validated: the imports of the mix (numpy, scipy's LAPACK and
ndimage, the plan's classes) then happen while the first process validates and plans,
and the plan is handed over by a pipe.
On Linux the worker is forked (it starts with what is already imported, in
milliseconds); elsewhere it is spawned, as fork is unsafe or missing there.
"""

from __future__ import annotations

import multiprocessing
import sys
import traceback
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING

from docedit.output.encode import EncodeError, Profile

if TYPE_CHECKING:
    from multiprocessing.sharedctypes import Synchronized

    from docedit.media.info import MediaInfo
    from docedit.plan import Plan
    from docedit.sound.report import MixReport


class SoundJob:
    """A worker process waiting for a plan; `submit` it one, then take its `result`."""

    def __init__(
        self, process: BaseProcess, results: Connection, tasks: Connection, done: Synchronized[int]
    ) -> None:
        self.process = process
        self.results = results
        self.tasks = tasks
        self.done = done  # mixing blocks finished, as the worker counts them
        self.plan: Plan | None = None

    @classmethod
    def spawn(cls) -> SoundJob:
        """A worker: the one `start_early` forked, if it is there and alive, else a new one."""
        global _early
        job, _early = _early, None
        if job is not None and job.process.is_alive():
            return job
        return cls._start()

    @classmethod
    def _start(cls) -> SoundJob:
        if sys.platform == "linux":
            context = multiprocessing.get_context("fork")
        else:
            context = multiprocessing.get_context("spawn")
        results, send_result = context.Pipe(duplex=False)
        receive_task, tasks = context.Pipe(duplex=False)
        done = context.Value("q", 0, lock=False)
        process = context.Process(target=_work, args=(receive_task, send_result, done), daemon=True)
        process.start()
        send_result.close()
        receive_task.close()
        return cls(process, results, tasks, done)

    def submit(self, plan: Plan, media: dict[Path, MediaInfo], m4a: Path, profile: Profile) -> None:
        self.plan = plan
        try:
            self.tasks.send((plan, media, m4a, profile))
        except (BrokenPipeError, ConnectionResetError):
            raise self._died() from None
        finally:
            self.tasks.close()

    def result(self) -> MixReport:
        try:
            outcome, value = self.results.recv()
        except EOFError:
            raise self._died() from None
        self.process.join()
        if outcome == "error":
            raise value
        return value

    def _died(self) -> EncodeError:
        """What the worker was doing when it died, and how it died (never a hang: its
        end of the pipe closing is what tells us)."""
        self.process.join(timeout=10)
        code = self.process.exitcode
        how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit {code}"
        return EncodeError(f"the sound process died ({how}) {_doing(self.plan, self.done.value)}")

    def stop(self) -> None:
        """End the worker, whatever it is doing (a failed render, Ctrl-C, bad input)."""
        self.tasks.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join()


_early: SoundJob | None = None  # forked by start_early, handed out by spawn


def start_early() -> None:
    """Fork the sound worker before the command line's own imports (typer, rich, pydantic
    and the timeline code: about 0.4 s on one core), when the command is known to be a
    render: the worker's imports (about 0.5 s) then run on the other core meanwhile,
    and it is ready about when the plan is. The render takes it from `spawn`; a command
    that stops before that leaves it to multiprocessing, which ends daemons at exit."""
    global _early
    if _early is None:
        _early = SoundJob._start()
        from docedit.media.ffmpeg import find_ffmpeg_meanwhile

        find_ffmpeg_meanwhile()  # after the fork: a child forked from threads may hang


def _doing(plan: Plan | None, blocks: int) -> str:
    """`while mixing scene 'x' (at 01:02.5)`, from the blocks the worker had finished."""
    if plan is None:
        return "before it was given the plan"
    from docedit.sound.mix import BLOCK

    sample = blocks * BLOCK
    if sample >= plan.samples:
        return "after the mix, while measuring loudness or encoding the AAC"
    scene = next((s for s in plan.scenes if s.start_sample + s.samples > sample), None)
    at = f"at {sample / plan.clock.rate:.1f}s of the cut"
    return f"while mixing scene {scene.id!r} ({at})" if scene else f"while mixing ({at})"


def _die_with_parent() -> None:
    """On Linux, have the kernel kill this process when the render that forked it dies.

    A forked child holds a copy of every descriptor its parent had, among them the
    pipe by which a process pool (docedit export --jobs) sees that worker die. A render
    SIGKILLed in such a worker left its sound process waiting for a plan for ever, the
    pipe open, and the pool (and the export) waiting with it: 1 run in 8 of
    test_export's killed worker under load. Nothing of this process outlives the render
    anyway (its files are in the render's temporary folder)."""
    if sys.platform != "linux":
        return
    import ctypes
    import os
    import signal

    parent = multiprocessing.parent_process()
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if parent is None or os.getppid() != parent.pid:  # it died before that
        os._exit(0)


def _work(tasks: Connection, results: Connection, done: Synchronized[int]) -> None:
    _die_with_parent()
    try:
        from docedit.core.memory import keep_freed_memory
        from docedit.media.ffmpeg import ffmpeg_exe
        from docedit.output.encode import aac_sink
        from docedit.sound.mix import mix  # the slow import, overlapping validation

        keep_freed_memory()  # this process only mixes, then ends
        ffmpeg_exe()  # found (imageio-ffmpeg runs it once) while no plan has come yet

        try:
            plan, media, m4a, profile = tasks.recv()
        except EOFError:
            return  # nothing to do: the render stopped before planning

        def progress(number: int, _blocks: int) -> None:
            done.value = number

        report = mix(plan, media, lambda: aac_sink(m4a, plan.clock.rate, profile), progress)
        results.send(("ok", report))
    except KeyboardInterrupt:  # the parent is told by Ctrl-C too, and cleans up
        pass
    except Exception as error:  # handed to the parent, which raises it
        error.add_note(f"In the sound process:\n{traceback.format_exc().rstrip()}")  # for a bug
        results.send(("error", error))
    finally:
        results.close()
