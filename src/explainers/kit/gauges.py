"""Counters a viewer can count along with: 'votes 3 / 5', one dot per voter, the majority marked."""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Animation,
    AnimationGroup,
    Circle,
    FadeIn,
    FadeOut,
    Line,
    Rectangle,
    Text,
    Transform,
    VGroup,
    linear,
)

from explainers.kit.nodes import tint
from explainers.kit.text import swap_text, text
from explainers.kit.theme import AMBER, GREEN, INK, LINE, MUTED, TYPE

DOT_R = 0.16


class Tally(VGroup):
    """A titled count 'k / total' with a row of dots and the threshold (e.g. a majority) marked.

    Amber while below the threshold, green once at or above it; `compact` lays it out in one row.
    """

    def __init__(self, title: str, total: int, threshold: int, value: int = 0,
                 threshold_word: str = "majority", below: str = AMBER, reached: str = GREEN,
                 *, compact: bool = False) -> None:
        super().__init__()
        if not 0 < threshold <= total:
            raise ValueError("threshold must be within 1..total")
        self.total, self.threshold, self.value = total, threshold, value
        self.colors = (below, reached)
        self.compact = compact
        self.number_px = TYPE.label if compact else TYPE.heading
        self.title = text(title, TYPE.small if compact else TYPE.label, MUTED)
        self.number = text(f"{value} / {total}", self.number_px, below, mono=True, bold=True)
        r = DOT_R * (0.8 if compact else 1)
        self.dots = VGroup(*[Circle(radius=r, stroke_width=3) for _ in range(total)])
        self.dots.arrange(RIGHT, buff=0.1 if compact else 0.14)
        self.threshold_line = Line(UP * r * 1.8, DOWN * r * 1.8, stroke_width=4, color=MUTED)
        gap = (self.dots[threshold - 1].get_right() + self.dots[min(threshold, total - 1)].get_left()) / 2
        if threshold == total:
            gap = self.dots[-1].get_right() + RIGHT * 0.07
        self.threshold_line.move_to(gap)
        self.caption = text(f"{threshold_word} is {threshold}", TYPE.small, MUTED)
        body = VGroup(self.title, self.number, VGroup(self.dots, self.threshold_line),
                      self.caption)
        if compact:
            body.arrange(RIGHT, buff=0.25)
        else:
            body.arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        self.add(self.title, self.number, self.dots, self.threshold_line, self.caption)
        self.set_value(value)

    @property
    def reached(self) -> bool:
        """Whether the count has reached the threshold."""
        return self.value >= self.threshold

    def set_value(self, value: int) -> Tally:
        """Show `value` at once (number, filled dots, colour)."""
        self.value = value
        color = self.colors[1] if self.reached else self.colors[0]
        new = text(f"{value} / {self.total}", self.number_px, color, mono=True, bold=True)
        new.move_to(self.number, aligned_edge=LEFT)
        self.number = swap_text(self, self.number, new)
        for k, dot in enumerate(self.dots):
            filled = k < value
            dot.set_stroke(color if filled else LINE).set_fill(
                color if filled else tint(MUTED, 0.05), opacity=1)
        self.threshold_line.set_stroke(self.colors[1] if self.reached else MUTED)
        return self

    def count_to(self, value: int) -> Animation:
        """Animate the count to `value`: dots and colours restyle, the number cross-fades
        (morphing one digit's outline into another reads as a smudge)."""
        target = self.copy().set_value(value)
        old, new = self.number, target.number
        rest = VGroup(*[m for m in self.submobjects if m is not old])
        rest_target = VGroup(*[m for m in target.submobjects if m is not new])
        self.value = value
        self.number = swap_text(self, old, new)
        return AnimationGroup(Transform(rest, rest_target), FadeOut(old), FadeIn(new))


class CountdownBars(VGroup):
    """Timers as bars that shrink together at one speed: the shortest runs out first.

    `rows` are (name, total); every bar is drawn to one scale, so a longer timeout is a longer bar.
    `run_to(t)` animates all of them to `t` elapsed (a bar stops at zero).
    """

    def __init__(self, rows: list[tuple[str, float]], width: float = 3.6, unit: str = "ms",
                 color: str = MUTED, out_color: str = AMBER) -> None:
        super().__init__()
        self.totals = {name: float(total) for name, total in rows}
        self.scale = width / max(self.totals.values())
        self.color, self.out_color, self.unit = color, out_color, unit
        self.bars: dict[str, Rectangle] = {}
        self.values: dict[str, Text] = {}
        self.rows = VGroup()
        for name, total in rows:
            label = text(name, TYPE.small, INK, mono=True, bold=True)
            track = Rectangle(width=width, height=0.26, stroke_width=0, fill_color=LINE,
                              fill_opacity=0.5)
            bar = Rectangle(width=total * self.scale, height=0.26, stroke_width=0,
                            fill_color=color, fill_opacity=1)
            value = text(f"{total:g} {unit}", TYPE.small, MUTED, mono=True)
            track.next_to(label, RIGHT, buff=0.25)
            bar.align_to(track, LEFT).match_y(track)
            value.next_to(track, RIGHT, buff=0.25)
            self.bars[name], self.values[name] = bar, value
            self.rows.add(VGroup(label, track, bar, value))
        self.rows.arrange(DOWN, buff=0.22, aligned_edge=LEFT)
        self.add(self.rows)

    def run_to(self, elapsed: float) -> list[Animation]:
        """Animations of every bar to `elapsed` time passed (linear, all at one speed); `flag`
        then marks the ones that ran out."""
        anims: list[Animation] = []
        for name, bar in self.bars.items():
            left = max(0.0, self.totals[name] - elapsed)
            target = Rectangle(width=max(left * self.scale, 1e-3), height=bar.height,
                               stroke_width=0, fill_color=self.color,
                               fill_opacity=1).align_to(bar, LEFT).match_y(bar)
            anims.append(Transform(bar, target, rate_func=linear))
        return anims

    def flag(self, name: str) -> Animation:
        """Mark one timer as run out: its value turns the out colour."""
        return self.values[name].animate.set_color(self.out_color).build()
