"""Short annotations: a callout next to a mobject, and a legend of symbols."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from manim import DOWN, LEFT, RIGHT, Line, Mobject, Text, VGroup

from explainers.kit.text import text
from explainers.kit.theme import INK, MUTED, TYPE


class Callout(VGroup):
    """A few words beside a target (`direction` UP/DOWN/LEFT/RIGHT), with an optional pointer line."""

    def __init__(self, words: str, target: Mobject, direction: np.ndarray = RIGHT,
                 color: str = INK, *, buff: float = 0.2, pointer: bool = False,
                 px: float = TYPE.small) -> None:
        super().__init__()
        lines = [text(line, px, color) for line in words.split("\n")]
        self.words = VGroup(*lines).arrange(DOWN, buff=0.1,
                                            aligned_edge=LEFT if direction[0] >= 0 else RIGHT)
        self.words.next_to(target, direction, buff=buff + (0.35 if pointer else 0))
        self.add(self.words)
        if pointer:
            start = self.words.get_critical_point(-direction)
            end = target.get_critical_point(direction)
            self.pointer = Line(start - direction * 0.08, end + direction * 0.06, color=color,
                                stroke_width=3)
            self.add(self.pointer)


class Legend(VGroup):
    """Symbol and meaning, one per row (or side by side): so no cue depends on colour alone."""

    def __init__(self, rows: Sequence[tuple[Mobject, str]], px: float = TYPE.small,
                 symbol_width: float = 0.5, horizontal: bool = False) -> None:
        super().__init__()
        self.rows = VGroup()
        for symbol, _ in rows:
            has_text = any(isinstance(m, Text) for m in symbol.get_family())
            if symbol.width > symbol_width and not has_text:
                symbol.scale_to_fit_width(symbol_width)
        slot_width = max([symbol_width] + [symbol.width for symbol, _ in rows])
        for symbol, words in rows:
            label = text(words, px, MUTED)
            slot = Line(LEFT * slot_width / 2, RIGHT * slot_width / 2, stroke_opacity=0)
            symbol.move_to(slot)
            label.next_to(slot, RIGHT, buff=0.2)
            self.rows.add(VGroup(slot, symbol, label))
        if horizontal:
            self.rows.arrange(RIGHT, buff=0.5)
        else:
            self.rows.arrange(DOWN, aligned_edge=LEFT, buff=0.18)
        self.add(self.rows)


