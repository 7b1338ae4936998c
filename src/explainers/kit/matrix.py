"""Matrices you can read (Alammar's Illustrated Transformer): numbers in cells, labels, heat, focus.

Cells are sized from the type, not the other way round: a 5 x 5 matrix of 2-decimal numbers at
30 px needs cells about 0.95 x 0.6 units, so the numbers stay legible on a phone.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from manim import (
    DOWN,
    LEFT,
    UP,
    Animation,
    FadeIn,
    FadeOut,
    ManimColor,
    Rectangle,
    RoundedRectangle,
    Scene,
    Transform,
    VGroup,
    interpolate_color,
    smooth,
)

from explainers.kit.text import text
from explainers.kit.theme import AMBER, BLUE, INK, LINE, MUTED, PANEL, TYPE

CELL = (0.95, 0.6)  # width, height in units: fits "-0.13" at 30 px with air around it


def two_decimals(v: float) -> str:
    """The series' number format for matrix entries; a masked score reads as minus infinity."""
    if math.isinf(v):
        return "−∞" if v < 0 else "∞"
    return f"{v:.2f}".replace("-", "−") if round(v, 2) != 0 else "0.00"


def baseline(t: VGroup) -> float:
    """y of a Text's baseline: the lowest bottom among glyphs without a descender."""
    glyphs = [g for g, ch in zip(t.submobjects, t.text.replace(" ", "")) if ch not in "gjpqy,;()"]
    if len(t.submobjects) != len(t.text.replace(" ", "")) or not glyphs:
        return t.get_bottom()[1]
    return min(g.get_bottom()[1] for g in glyphs)


class LabelledMatrix(VGroup):
    """A grid of numbers with row/column labels; `heat` tints cells by value, `mask` greys cells."""

    def __init__(self, values: Sequence[Sequence[float]] | np.ndarray,
                 rows: Sequence[str] = (), cols: Sequence[str] = (),
                 fmt: Callable[[float], str] = two_decimals, cell: tuple[float, float] = CELL,
                 heat: str | None = None, heat_range: tuple[float, float] | None = None,
                 mask: np.ndarray | None = None, px: float = TYPE.small,
                 label_px: float = TYPE.small, ink: str = INK) -> None:
        super().__init__()
        self.values = np.asarray(values, dtype=float)
        if self.values.ndim != 2:
            raise ValueError("a matrix needs 2-D values")
        n, m = self.values.shape
        w, h = cell
        self.cell_size = (w, h)
        finite = self.values[np.isfinite(self.values)]
        lo, hi = heat_range or ((float(finite.min()), float(finite.max())) if finite.size else (0, 1))
        self.cells = VGroup()
        self.entries = VGroup()
        for i in range(n):
            for j in range(m):
                v = self.values[i, j]
                masked = bool(mask is not None and mask[i, j])
                box = Rectangle(width=w, height=h, stroke_color=LINE, stroke_width=2)
                fill = PANEL
                if heat and not masked and math.isfinite(v):
                    k = 0.0 if hi <= lo else min(max((v - lo) / (hi - lo), 0.0), 1.0)
                    fill = interpolate_color(ManimColor(PANEL), ManimColor(heat), 0.85 * k)
                box.set_fill(fill, opacity=1.0)
                box.move_to([j * w, -i * h, 0])
                number = text(fmt(v), px, MUTED if masked else ink, mono=True)
                number.move_to(box)
                self.cells.add(box)
                self.entries.add(number)
        self.shape = (n, m)
        self.row_labels = VGroup(*[text(r, label_px, MUTED) for r in rows])
        for i, t in enumerate(self.row_labels):
            t.next_to(self.cell(i, 0), LEFT, buff=0.18)
        self.col_labels = VGroup(*[text(c, label_px, MUTED) for c in cols])
        for j, t in enumerate(self.col_labels):
            t.next_to(self.cell(0, j), UP, buff=0.14)
        # Column labels share one baseline even when some have descenders ("steep", "money").
        if len(self.col_labels):
            base = max(baseline(t) for t in self.col_labels)
            for t in self.col_labels:
                t.shift(UP * (base - baseline(t)))
        self.add(self.cells, self.entries, self.row_labels, self.col_labels)

    def cell(self, i: int, j: int) -> Rectangle:
        """The box of entry (i, j)."""
        return self.cells[i * self.shape[1] + j]

    def entry(self, i: int, j: int) -> VGroup:
        """The number text of entry (i, j)."""
        return self.entries[i * self.shape[1] + j]

    def grid(self) -> VGroup:
        """Just the cells (for placing things next to the numbers, not the labels)."""
        return self.cells

    def _frame(self, first: Rectangle, last: Rectangle, color: str) -> RoundedRectangle:
        left, right = first.get_left()[0], last.get_right()[0]
        top, bottom = first.get_top()[1], last.get_bottom()[1]
        frame = RoundedRectangle(corner_radius=0.08, width=right - left + 0.1,
                                 height=top - bottom + 0.1, stroke_color=color, stroke_width=5)
        return frame.move_to([(left + right) / 2, (top + bottom) / 2, 0])

    def highlight_row(self, i: int, color: str = AMBER) -> RoundedRectangle:
        """An outline around row i (returned, not added: the scene decides when it appears)."""
        return self._frame(self.cell(i, 0), self.cell(i, self.shape[1] - 1), color)

    def highlight_col(self, j: int, color: str = AMBER) -> RoundedRectangle:
        """An outline around column j."""
        return self._frame(self.cell(0, j), self.cell(self.shape[0] - 1, j), color)

    def highlight_cell(self, i: int, j: int, color: str = AMBER) -> RoundedRectangle:
        """An outline around one entry."""
        return self._frame(self.cell(i, j), self.cell(i, j), color)


class VectorCells(LabelledMatrix):
    """A vector as a column of cells (or a row with `horizontal=True`), with an optional name."""

    def __init__(self, values: Sequence[float] | np.ndarray, name: str = "",
                 labels: Sequence[str] = (), horizontal: bool = False,
                 name_color: str = INK, **kwargs) -> None:
        v = np.asarray(values, dtype=float).reshape(1 if horizontal else -1, -1 if horizontal else 1)
        if horizontal:
            super().__init__(v, cols=labels, **kwargs)
        else:
            super().__init__(v, rows=labels, **kwargs)
        self.name = None
        if name:
            self.name = text(name, TYPE.small, name_color)
            self.name.next_to(self.cells, LEFT if horizontal else UP, buff=0.15)
            if not horizontal and len(self.col_labels) == 0:
                self.name.next_to(self.cells, UP, buff=0.15)
            self.add(self.name)


def morph(scene: Scene, old: LabelledMatrix, new: LabelledMatrix, *also: Animation,
          run_time: float = 0.7) -> LabelledMatrix:
    """Re-colour old's cells into new's; old numbers fade out, then new ones in (digits never morph)."""
    scene.play(Transform(old.cells, new.cells),
               FadeOut(old.entries, rate_func=lambda t: smooth(min(1.0, 2 * t))),
               FadeIn(new.entries, rate_func=lambda t: smooth(max(0.0, 2 * t - 1))), *also,
               run_time=run_time)
    # FadeOut's clean-up removes old.entries, which makes Manim split `old` into its other parts.
    scene.remove(old, *old.submobjects, new.entries)
    scene.add(new)
    return new


def name_under(target: VGroup, words: str, color: str = BLUE, side=DOWN) -> VGroup:
    """A name under (or beside) a matrix, e.g. 'Q = X·W_Q'."""
    t = text(words, TYPE.small, color)
    t.next_to(target, side, buff=0.2)
    return t


__all__ = ["CELL", "LabelledMatrix", "VectorCells", "morph", "name_under", "two_decimals"]
