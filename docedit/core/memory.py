"""Keep freed memory in the process instead of giving it back to the kernel at once.

The mix allocates and frees arrays of several MB for every block (about 22 s of sound:
sums, filter outputs, the limiter's curve, the PCM bytes). With glibc's defaults each
large free goes back to the kernel (munmap, or a trim of the heap's top), and the next
allocation faults the pages in again, each one zeroed: 0.4 s of kernel time in the 3-minute
reference preview's sound process. Raising the mmap and trim thresholds lets the heap keep
and reuse those pages; the peak is unchanged (the same arrays are live at the same time),
only the return of memory to the system waits for the process to end. Used only in a
process docedit owns that mixes and then ends (the render's sound process), never on
import or in a caller's process. Anything but glibc is left as it is.
"""

from __future__ import annotations

import ctypes
import sys

M_TRIM_THRESHOLD = -1  # glibc's mallopt parameters (malloc.h)
M_MMAP_MAX = -4
TRIM_THRESHOLD = 512 << 20


def keep_freed_memory() -> bool:
    """Ask glibc to serve every block from the heap (no mmap: a decoded bed of 70 MB is
    reused as well as a mixing block of 8 MB) and to keep up to 512 MB of freed memory;
    whether it took (False elsewhere than Linux with glibc)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # musl and others: no mallopt
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(M_MMAP_MAX, 0)) and bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
