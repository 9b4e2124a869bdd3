"""The picture track: the frame at any plan frame, built with numpy and OpenCV.

Per frame the cost is one sub-pixel affine warp of a picture that was decoded and
scaled once per shot, plus a blend only while two shots overlap. RGBA is used
internally because OpenCV warps four channels much faster than three; each frame
leaves as I420, what x264 takes, for moviepy's ffmpeg writer (moviepy 2's
CompositeVideoClip is far slower, and its CrossFadeIn breaks on moving pictures).
"""

from __future__ import annotations

import math
import warnings
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from itertools import accumulate
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np
from PIL import Image, ImageOps

from docedit.core.errors import MediaError, first_line
from docedit.picture.stillcache import StillCache
from docedit.picture.text import Patch, blend, caption_patch, subtitle_patch, title_card
from docedit.plan import Plan, Shot, Window
from docedit.plan.cues import Cue

cv2.setNumThreads(1)  # the encoder wants the other core


def load_still(path: Path, shown: Callable[[tuple[int, int]], float] | None = None) -> np.ndarray:
    """A photographer's file as upright 8-bit RGB: EXIF rotation applied, alpha on black,
    grayscale, CMYK, palette and 16-bit converted. `shown(size)` is the largest scale at
    which an upright picture of that size will be shown; a JPEG is then decoded at the
    smallest reduced scale (1/2, 1/4, 1/8) that still gives that many pixels."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as opened:
                orientation = opened.getexif().get(0x0112, 1)
                if shown and opened.format == "JPEG":
                    w, h = opened.size
                    scale = min(1.0, shown((h, w) if orientation in (5, 6, 7, 8) else (w, h)))
                    opened.draft(opened.mode, (math.ceil(w * scale), math.ceil(h * scale)))
                image = opened
                if orientation != 1:  # only rotate (and copy) when told to
                    image = ImageOps.exif_transpose(opened) or opened
                image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise MediaError(f"{path}: image exceeds Pillow's decompression-bomb limit") from None
    except (OSError, SyntaxError, ValueError) as err:
        raise MediaError(f"{path}: not an image Pillow can decode ({err})") from None
    if image.mode in {"I;16", "I;16B", "I;16L", "I"}:
        wide = np.asarray(image, dtype=np.float64)
        peak = 65535.0 if image.mode.startswith("I;16") or wide.max() > 255 else 255.0
        image = Image.fromarray(np.clip(wide / peak * 255.0, 0, 255).astype(np.uint8))
    elif image.mode == "F":
        image = Image.fromarray(np.clip(np.asarray(image) * 255.0, 0, 255).astype(np.uint8))
    if image.mode in {"RGBA", "LA", "PA"} or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        black = Image.new("RGBA", rgba.size, (0, 0, 0, 255))
        image = Image.alpha_composite(black, rgba)
    return np.asarray(image if image.mode == "RGB" else image.convert("RGB"))


def fit_scale(source: tuple[int, int], frame: tuple[int, int], fit: str) -> float:
    """Scale that makes the source cover (fill, cropping) or be contained in the frame."""
    sw, sh = source
    fw, fh = frame
    ratios = (fw / sw, fh / sh)
    return max(ratios) if fit == "cover" else min(ratios)


def ease(p: float) -> float:
    """Ease-in-out (cosine): a move starts and ends at rest, with no jolt."""
    p = min(1.0, max(0.0, p))
    return 0.5 - 0.5 * math.cos(math.pi * p)


def window_at(motion: tuple[Window, Window], p: float) -> Window:
    """The view at progress p: centre interpolated, zoom interpolated geometrically
    (a constant-speed zoom), both eased."""
    a, b = motion
    e = ease(p)
    width = a.width * (b.width / a.width) ** e
    return Window(a.x + (b.x - a.x) * e, a.y + (b.y - a.y) * e, width)


def view_matrix(
    source: tuple[int, int], frame: tuple[int, int], scale: float, window: Window
) -> np.ndarray:
    """Affine source->frame mapping: fit at `scale`, then view `window` of the fitted frame.

    Window x, y are the view centre in frame units of the fitted picture (0.5 = centre);
    width 1 is the fitted view, 1/1.1 is 10 % closer.
    """
    sw, sh = source
    fw, fh = frame
    zoom = 1.0 / window.width
    a = zoom * scale
    tx = -a * (sw - 1) / 2 + zoom * (fw / 2 - window.x * fw) + (fw - 1) / 2
    ty = -a * (sh - 1) / 2 + zoom * (fh / 2 - window.y * fh) + (fh - 1) / 2
    return np.array([[a, 0.0, tx], [0.0, a, ty]], dtype=np.float64)


class _Clip(Protocol):
    """What is used of a moviepy VideoFileClip (moviepy ships no types)."""

    duration: float
    fps: float | None
    size: tuple[int, int]

    def get_frame(self, t: float) -> np.ndarray: ...

    def close(self) -> None: ...


@dataclass
class _Prepared:
    """A shot's source, scaled once, with the fit scale that applies to it."""

    image: np.ndarray | None  # RGBA, for stills and titles
    scale: float
    video: _Clip | None = None
    caption: Patch | None = None


class FrameRenderer:
    """Frames of a plan at an output size; frame numbers are always plan frames."""

    def __init__(
        self,
        plan: Plan,
        size: tuple[int, int] | None = None,
        subtitles: tuple[list[Cue], list[Cue]] | None = None,
        interpolation: int = cv2.INTER_LINEAR,
        stills: StillCache | None = None,
    ) -> None:
        self.plan = plan
        self.stills = stills
        self.size = size or plan.size
        self.shots = sorted(plan.shots, key=lambda s: (s.start, s.end))
        self.original, self.translation = subtitles or ([], [])
        self._shots_at = _Spans([(s.start, s.end) for s in self.shots])
        self._cues_at = (_spans_of(self.original), _spans_of(self.translation))
        self.interpolation = interpolation
        self._prepared: dict[int, _Prepared] = {}
        self._subtitle_patches: dict[tuple[str | None, str | None], Patch] = {}
        self._black = np.zeros((self.size[1], self.size[0], 4), dtype=np.uint8)
        self._black[..., 3] = 255

    def frame(self, index: int) -> np.ndarray:
        """The frame at plan frame `index` as I420, what x264 takes (H*3/2 x W, uint8):
        BT.601 limited range, as ffmpeg's own RGB conversion would give."""
        return cv2.cvtColor(self.frame_rgba(index), cv2.COLOR_RGBA2YUV_I420)

    def frame_rgba(self, index: int) -> np.ndarray:
        active = self._shots_at.at(index)
        self._release(index)
        frame = None
        for shot_index in active:
            shot = self.shots[shot_index]
            picture = self._shot_frame(shot_index, shot, index)
            if frame is None or shot.fade_in == 0 or index >= shot.start + shot.fade_in:
                frame = picture
            else:
                alpha = (index - shot.start + 0.5) / shot.fade_in
                frame = cv2.addWeighted(frame, 1.0 - alpha, picture, alpha, 0.0)
        if frame is None:
            return self._black.copy()
        frame = self._dip(frame, active, index)
        self._subtitles(frame, index)
        return frame

    def _dip(self, frame: np.ndarray, active: list[int], index: int) -> np.ndarray:
        for shot_index in active:
            shot = self.shots[shot_index]
            level = 1.0
            if shot.black_in and index < shot.start + shot.black_in:
                level = (index - shot.start + 0.5) / shot.black_in
            if shot.black_out and index >= shot.end - shot.black_out:
                level = (shot.end - index - 0.5) / shot.black_out
            if level < 1.0:
                frame = cv2.convertScaleAbs(frame, alpha=level)
                frame[..., 3] = 255
        return frame

    def _shot_frame(self, shot_index: int, shot: Shot, index: int) -> np.ndarray:
        prepared = self._prepare(shot_index, shot)
        window = window_at(shot.motion, shot.progress(index))
        if prepared.video is not None:
            source = self._video_frame(prepared.video, shot, index)
        else:
            assert prepared.image is not None  # a still or a title: _prepare made its image
            source = prepared.image
        if shot.kind == "title" and shot.motion[0] == shot.motion[1] == Window():
            frame = source.copy()
        else:
            h, w = source.shape[:2]
            matrix = view_matrix((w, h), self.size, prepared.scale, window)
            frame = cv2.warpAffine(
                source,
                matrix,
                self.size,
                flags=self.interpolation,
                borderMode=cv2.BORDER_CONSTANT,
                borderValue=(0, 0, 0, 255),
            )
        if prepared.caption is not None:
            blend(frame, prepared.caption)
        return frame

    def _video_frame(self, clip: _Clip, shot: Shot, index: int) -> np.ndarray:
        t = float(shot.source_in + Fraction(index - shot.start) / self.plan.clock.fps)
        t = min(max(0.0, t), max(0.0, clip.duration - 1.0 / max(1.0, clip.fps or 25)))
        rgb = clip.get_frame(t)
        if rgb.ndim == 2:
            rgb = np.repeat(rgb[..., None], 3, axis=2)
        rgba = cv2.cvtColor(np.ascontiguousarray(rgb[..., :3], dtype=np.uint8), cv2.COLOR_RGB2RGBA)
        return rgba

    def _prepare(self, shot_index: int, shot: Shot) -> _Prepared:
        if shot_index in self._prepared:
            return self._prepared[shot_index]
        caption = caption_patch(shot.caption, self.size) if shot.caption else None
        if shot.kind == "title":
            prepared = _Prepared(title_card(shot.text or "", self.size), 1.0, caption=caption)
        elif shot.kind == "video":
            prepared = self._prepare_video(shot, caption)
        else:
            prepared = self._prepare_still(shot, caption)
        self._prepared[shot_index] = prepared
        return prepared

    def _prepare_still(self, shot: Shot, caption: Patch | None) -> _Prepared:
        """Decode once (reduced, when the frame is small) and scale once, with area
        averaging (no aliasing), to the largest size the move will show."""
        closest = 1.0 / min(shot.motion[0].width, shot.motion[1].width)
        key = self.stills.key(shot.media, self.size, shot.fit, closest) if self.stills else None
        rgba = self.stills.get(key) if self.stills and key else None
        if rgba is None:
            rgba = self._scaled_still(shot, closest)
            if self.stills and key:
                self.stills.put(key, rgba)
        h, w = rgba.shape[:2]
        return _Prepared(rgba, fit_scale((w, h), self.size, shot.fit), caption=caption)

    def _scaled_still(self, shot: Shot, closest: float) -> np.ndarray:
        image = load_still(shot.media, lambda s: fit_scale(s, self.size, shot.fit) * closest)
        h, w = image.shape[:2]
        target = fit_scale((w, h), self.size, shot.fit) * closest
        if target < 1.0:
            new = (max(1, round(w * target)), max(1, round(h * target)))
            image = cv2.resize(image, new, interpolation=cv2.INTER_AREA)
        return cv2.cvtColor(image, cv2.COLOR_RGB2RGBA)

    def _prepare_video(self, shot: Shot, caption: Patch | None) -> _Prepared:
        from moviepy import VideoFileClip

        from docedit.media.ffmpeg import configure_moviepy, media_arg

        configure_moviepy()
        try:
            clip = VideoFileClip(media_arg(shot.media), audio=False)
        except (OSError, KeyError, ValueError):
            try:  # no duration in the header (some WebM): moviepy must decode to find it
                clip = VideoFileClip(media_arg(shot.media), audio=False, decode_file=True)
            except (OSError, KeyError, ValueError) as err:
                first = first_line(err, type(err).__name__)
                raise MediaError(f"{shot.source}: footage does not decode ({first})") from None
        w, h = clip.size
        return _Prepared(None, fit_scale((w, h), self.size, shot.fit), video=clip, caption=caption)

    def _release(self, index: int) -> None:
        """Forget shots that are over, so memory holds only what is on screen."""
        for shot_index in [i for i in self._prepared if self.shots[i].end <= index]:
            prepared = self._prepared.pop(shot_index)
            if prepared.video is not None:
                prepared.video.close()

    def _subtitles(self, frame: np.ndarray, index: int) -> None:
        original = _text_at(self.original, self._cues_at[0], index)
        translation = _text_at(self.translation, self._cues_at[1], index)
        if original is None and translation is None:
            return
        key = (original, translation)
        if key not in self._subtitle_patches:
            self._subtitle_patches[key] = subtitle_patch(original, translation, self.size)
        blend(frame, self._subtitle_patches[key])

    def close(self) -> None:
        for prepared in self._prepared.values():
            if prepared.video is not None:
                prepared.video.close()
        self._prepared.clear()
        if self.stills:
            self.stills.evict()


def _spans_of(cues: list[Cue]) -> _Spans:
    return _Spans([(cue.start, cue.end) for cue in cues])


def _text_at(cues: list[Cue], spans: _Spans, index: int) -> str | None:
    texts = [cues[i].text for i in spans.at(index)]
    return "\n".join(texts) if texts else None


class _Spans:
    """Which of some spans [start, end) hold a frame, in their given order. Found by
    bisection on the starts: a render asks for every frame, and scanning every shot and
    cue for each grew with the cut's length squared (a 2-hour final: about 25 s)."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        self._order = sorted(range(len(spans)), key=lambda i: spans[i][0])
        self._starts = [spans[i][0] for i in self._order]
        self._ends = [spans[i][1] for i in self._order]
        self._reach = list(accumulate(self._ends, max))  # the furthest end so far

    def at(self, index: int) -> list[int]:
        found = []
        j = bisect_right(self._starts, index) - 1
        while j >= 0 and self._reach[j] > index:  # before j, no span reaches `index`
            if self._ends[j] > index:
                found.append(self._order[j])
            j -= 1
        return sorted(found)
