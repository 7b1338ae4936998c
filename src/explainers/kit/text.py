"""Text in the series type: Inter for words, JetBrains Mono for values; nothing below TYPE.small."""

from __future__ import annotations

import hashlib
import os
import pickle
from importlib.metadata import version
from pathlib import Path
from typing import TypeVar

from manim import BOLD, NORMAL, Mobject, Text

from explainers.kit.theme import FONT, INK, MONO, PX_PER_FONT_SIZE, TYPE, font_size
from explainers.media import atomic_path
from explainers.project import TEXT_CACHE_ENV

_typeset: dict[str, Mobject] = {}
_VERSIONS = (version("manim"), version("manimpango"))
T = TypeVar("T", bound=Mobject)


def text(
    s: str, px: float = TYPE.label, color: str = INK, *, mono: bool = False, bold: bool = False
) -> Text:
    """A Text at `px` pixels (1080p em); refuses sizes a phone viewer could not read."""
    if px < TYPE.small:
        raise ValueError(f"{px} px is below TYPE.small ({TYPE.small} px): unreadable on a phone")
    return typeset(
        Text,
        s,
        font=MONO if mono else FONT,
        color=color,
        font_size=font_size(px),
        weight=BOLD if bold else NORMAL,
    )


def typeset(cls: type[T], s: str, **options: object) -> T:
    """`cls(s, **options)` for Text or MarkupText, laid out once and then copied.

    Manim lays out every Text afresh (Pango to SVG, SVG parsed into curves: ~40 ms each), and a
    Raft render asks for the same 100 strings about 300 times. Each one is built once per process
    and, when TEXT_CACHE_ENV names a folder, once per media folder (pickled, ~1 ms to load).
    """
    key = hashlib.sha256(
        repr((cls.__module__, cls.__qualname__, s, sorted(options.items()), _VERSIONS)).encode()
    ).hexdigest()[:32]
    made = _typeset.get(key)
    if made is None:
        made = _load(key) or _store(key, _slim(cls(s, **options)))
        _typeset[key] = made
    return made.copy()


def _cache_file(key: str) -> Path | None:
    folder = os.environ.get(TEXT_CACHE_ENV)
    return Path(folder) / f"{key}.pickle" if folder else None


def _load(key: str) -> Mobject | None:
    path = _cache_file(key)
    try:
        return pickle.loads(path.read_bytes()) if path else None
    except Exception:  # noqa: BLE001  absent, or unreadable: lay the text out again
        return None


def _store(key: str, made: Mobject) -> Mobject:
    path = _cache_file(key)
    if path:
        try:
            with atomic_path(path) as tmp:
                tmp.write_bytes(pickle.dumps(made, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            pass  # a cache that cannot be written only costs time
    return made


def _slim(mobject: T) -> T:
    """Drop the parsed SVG paths Manim keeps on every glyph after it has built their points.

    Nothing reads them again, but every copy deep-copies them (each Transform and FadeIn copies
    its mobjects): a copy of a slimmed Text is ~7x faster.
    """
    for part in mobject.get_family():
        part.__dict__.pop("path_obj", None)
    return mobject


def swap_text(parent: Mobject, old: Text, new: Text) -> Text:
    """Put `new` where `old` is, in `old`'s slot of `parent` (a rebuilt label keeps its true size)."""
    new.move_to(old)
    i = parent.submobjects.index(old)
    parent.submobjects[i] = new
    return new


def px_of(t: Text) -> float:
    """The em size of a (possibly scaled) Text in 1080p pixels, for tests and layout checks."""
    return float(t.font_size) * PX_PER_FONT_SIZE
