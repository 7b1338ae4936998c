"""Text in the series type: Inter for words, JetBrains Mono for values; nothing below TYPE.small."""

from __future__ import annotations

from manim import BOLD, NORMAL, Mobject, Text

from explainers.kit.theme import FONT, INK, MONO, PX_PER_FONT_SIZE, TYPE, font_size


def text(s: str, px: float = TYPE.label, color: str = INK, *, mono: bool = False,
         bold: bool = False) -> Text:
    """A Text at `px` pixels (1080p em); refuses sizes a phone viewer could not read."""
    if px < TYPE.small:
        raise ValueError(f"{px} px is below TYPE.small ({TYPE.small} px): unreadable on a phone")
    return Text(s, font=MONO if mono else FONT, color=color, font_size=font_size(px),
                weight=BOLD if bold else NORMAL)


def swap_text(parent: Mobject, old: Text, new: Text) -> Text:
    """Put `new` where `old` is, in `old`'s slot of `parent` (a rebuilt label keeps its true size)."""
    new.move_to(old)
    i = parent.submobjects.index(old)
    parent.submobjects[i] = new
    return new


def px_of(t: Text) -> float:
    """The em size of a (possibly scaled) Text in 1080p pixels, for tests and layout checks."""
    return float(t.font_size) * PX_PER_FONT_SIZE
