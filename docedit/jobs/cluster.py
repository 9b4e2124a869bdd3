"""Scene jobs on a Dask distributed cluster (`--scheduler tcp://HOST:PORT`).

Each scene is one task, the same function a local worker runs (export.export_scene),
given absolute paths: workers must see the timeline, its sources and the output folder
at the same paths (a shared disk). What comes back is the same `SceneFile` a local run
makes, so the manifest is the same. Dask is an optional extra: `docedit[dask]`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from docedit.core.errors import DoceditError

if TYPE_CHECKING:
    from docedit.jobs.export import SceneFile, SceneTask


class ClusterError(DoceditError):
    """Dask is missing, or its scheduler cannot be reached."""


def client(address: str) -> Any:
    """A Dask client connected to the scheduler at `address`."""
    try:
        from distributed import Client
    except ImportError:
        raise ClusterError(
            "--scheduler needs Dask's distributed scheduler; "
            "install it with pip install 'docedit[dask]'"
        ) from None
    try:
        return Client(address, timeout="10s")
    except (OSError, TimeoutError, ValueError) as err:
        raise ClusterError(f"--scheduler {address}: cannot connect ({err})") from None


def run_on_cluster(
    address: str, tasks: Sequence[SceneTask], why: Callable[[BaseException], str]
) -> Iterator[tuple[str, SceneFile | str]]:
    """(scene, its file or why it failed) for every task, as each finishes."""
    from distributed import as_completed

    from docedit.jobs.export import export_scene

    with client(address) as dask:
        futures = {
            dask.submit(export_scene, task, pure=False, key=f"docedit-{task.scene}-{id(task)}"): (
                task
            )
            for task in tasks
        }
        for future in as_completed(futures):
            task = futures[future]
            try:
                yield task.scene, future.result()
            except Exception as error:  # a scene's failure, or its worker's
                yield task.scene, why(error)
