"""The sound of a render (mix, loudness, AAC), made in a second process.

A thread would stall the frame loop, so the sound gets its own process. It is started
*before* the timeline is validated: the slow imports of the mix (scipy) then happen
while the first process validates and plans, and the plan is handed over by a pipe.
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
    from docedit.media.info import MediaInfo
    from docedit.plan.build import Plan
    from docedit.sound.report import MixReport


class SoundJob:
    """A worker process waiting for a plan; `submit` it one, then take its `result`."""

    def __init__(self, process: BaseProcess, results: Connection, tasks: Connection) -> None:
        self.process = process
        self.results = results
        self.tasks = tasks

    @classmethod
    def spawn(cls) -> SoundJob:
        if sys.platform == "linux":
            context = multiprocessing.get_context("fork")
        else:
            context = multiprocessing.get_context("spawn")
        results, send_result = context.Pipe(duplex=False)
        receive_task, tasks = context.Pipe(duplex=False)
        process = context.Process(target=_work, args=(receive_task, send_result), daemon=True)
        process.start()
        send_result.close()
        receive_task.close()
        return cls(process, results, tasks)

    def submit(self, plan: Plan, media: dict[Path, MediaInfo], m4a: Path, profile: Profile) -> None:
        self.tasks.send((plan, media, m4a, profile))
        self.tasks.close()

    def result(self) -> MixReport:
        try:
            outcome, value = self.results.recv()
        except EOFError:
            raise EncodeError("the sound process died before finishing the mix") from None
        self.process.join()
        if outcome == "error":
            raise value
        return value

    def stop(self) -> None:
        """End the worker, whatever it is doing (a failed render, Ctrl-C, bad input)."""
        self.tasks.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join()


def _work(tasks: Connection, results: Connection) -> None:
    try:
        from docedit.output.encode import aac_sink
        from docedit.sound.mix import mix  # the slow import, overlapping validation

        try:
            plan, media, m4a, profile = tasks.recv()
        except EOFError:
            return  # nothing to do: the render stopped before planning
        report = mix(plan, media, lambda: aac_sink(m4a, plan.clock.rate, profile))
        results.send(("ok", report))
    except KeyboardInterrupt:  # the parent is told by Ctrl-C too, and cleans up
        pass
    except Exception as error:  # handed to the parent, which raises it
        error.add_note(f"In the sound process:\n{traceback.format_exc().rstrip()}")  # for a bug
        results.send(("error", error))
    finally:
        results.close()
