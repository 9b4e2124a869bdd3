"""Run one command and report its wall time, CPU time and peak RSS as JSON on stdout.

A separate small process (standard library only) starts the measured command, because
on Linux a child's peak RSS starts at the resident size of the process that forked it:
started from the benchmark itself (100-190 MB of numpy, scipy and frames), a command
that needs 20 MB would be reported at the benchmark's size.

    python -S -m bench.launcher < {"argv": [...], "env": {...}}
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time


def main() -> None:
    job = json.load(sys.stdin)
    started = time.perf_counter()
    process = subprocess.Popen(
        job["argv"],
        env=job["env"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    stderr = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    json.dump(
        {
            "wall": wall,
            "cpu": usage.ru_utime + usage.ru_stime,
            "rss_mb": usage.ru_maxrss / 1024,
            "returncode": os.waitstatus_to_exitcode(status),
            "stderr": stderr.decode(errors="replace")[-4000:],
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
