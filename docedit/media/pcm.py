"""Float samples as the PCM an encoder or a file takes (numpy only: light to import)."""

from __future__ import annotations

import numpy as np


def pcm24(audio: np.ndarray) -> bytes:
    """Little-endian 24-bit PCM of float samples (clipping is never reached after limiting).
    float32 holds every 24-bit integer exactly, so no float64 round trip is needed."""
    scaled = np.clip(np.asarray(audio, dtype=np.float32) * np.float32(8388607), -8388608, 8388607)
    ints = np.rint(scaled).astype("<i4")
    return ints.view(np.uint8).reshape(-1, 4)[:, :3].tobytes()


def f32le(audio: np.ndarray) -> memoryview:
    """Little-endian float32 PCM of float samples, without a copy when they already are."""
    return np.ascontiguousarray(audio, dtype="<f4").data.cast("B")
