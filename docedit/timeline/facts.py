"""The facts binding keeps of the media files a timeline uses, by path: what each is
(`MediaInfo`) and its (size, mtime) when it was probed (`Stamp`).

A catalog of thousands has thousands of recordings: those that probed cleanly and
whose facts the probe cache holds can be `release`d by binding; they are then not held
here but asked of the probe cache again when someone asks for them (the facts as
cached, which are the facts as probed: the cache is keyed by the file's size and
modification time). Anything else (a still, a bed, a file that failed to probe, any
fact the cache could not keep) is held. Pure: the lookups come from binding.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator, MutableMapping
from pathlib import Path
from typing import Generic, TypeVar

from docedit.media.info import MediaInfo

Stamp = tuple[int, int]  # a file's (size, mtime_ns) when it was probed
Fact = TypeVar("Fact", MediaInfo, Stamp)


class Facts(MutableMapping[Path, Fact], Generic[Fact]):
    """Facts by path: held, or for a released path asked of `lookup` (None: not one of
    the released). `released` lists the released paths again, for iteration."""

    RECENT = 256  # a plan and a query's rows ask for the same few again and again

    def __init__(self) -> None:
        self._held: dict[Path, Fact] = {}
        self._lookup: Callable[[Path], Fact | None] | None = None
        self._released: Callable[[], Iterator[Path]] = lambda: iter(())
        self._recent: OrderedDict[Path, Fact] = OrderedDict()

    def release_to(
        self, lookup: Callable[[Path], Fact | None], released: Callable[[], Iterator[Path]]
    ) -> None:
        """From now on, a path not held is asked of `lookup`; `released` lists them."""
        self._lookup, self._released = lookup, released

    def release(self, path: Path) -> None:
        """Stop holding `path`'s fact: `lookup` answers for it."""
        self._held.pop(path, None)

    def __getitem__(self, path: Path) -> Fact:
        fact = self._held.get(path)
        if fact is None:
            fact = self._recent.get(path)
        if fact is None and self._lookup is not None:
            fact = self._lookup(path)
            if fact is not None:
                self._recent[path] = fact
                if len(self._recent) > self.RECENT:
                    self._recent.popitem(last=False)
        if fact is None:
            raise KeyError(path)
        return fact

    def __setitem__(self, path: Path, fact: Fact) -> None:
        self._recent.pop(path, None)
        self._held[path] = fact

    def __delitem__(self, path: Path) -> None:
        del self._held[path]

    def __contains__(self, path: object) -> bool:
        if path in self._held:
            return True
        return isinstance(path, Path) and self.get(path) is not None

    def __iter__(self) -> Iterator[Path]:
        """Held and released paths, each once (a released one as often as it is named
        is seen once: they are gathered first)."""
        return iter(dict.fromkeys([*self._held, *self._released()]))

    def __len__(self) -> int:
        return sum(1 for _path in self)

    def __reduce__(self) -> tuple[object, ...]:
        """Pickled (to another process) or deep-copied as a plain dict: the lookups ask
        this process's cache."""
        return (dict, (dict(self.items()),))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self._held)} held)"


class Media(Facts[MediaInfo]):
    """What each media file is, by path."""


class Stamps(Facts[Stamp]):
    """Each media file's (size, mtime_ns) when it was probed, by path."""
