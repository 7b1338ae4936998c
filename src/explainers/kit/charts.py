"""Time-series vocabulary: a time axis, requests on it, a level gauge, a window bracket, replay.

Everything here is a pure function of the numbers it is given (no sim imports): a scene reads a
model's state at trace time t and draws it. `replay` animates such a picture by moving t
linearly, so fast-forwarded and rendered beats end on the same frame.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from manim import (
    DOWN,
    LEFT,
    ORIGIN,
    RIGHT,
    UP,
    Circle,
    Line,
    Mobject,
    Rectangle,
    RoundedRectangle,
    Scene,
    ValueTracker,
    VGroup,
    VMobject,
    always_redraw,
    linear,
)

from explainers.kit.nodes import cross
from explainers.kit.text import text
from explainers.kit.theme import (
    AMBER,
    BLUE,
    GREEN,
    INK,
    LINE,
    MUTED,
    PANEL,
    RED,
    TYPE,
    VIOLET,
)

# What a request mark looks like per status: colour and shape both carry the meaning.
PENDING, ACCEPTED, REJECTED = "pending", "accepted", "rejected"
MARK_COLOURS = {PENDING: VIOLET, ACCEPTED: GREEN, REJECTED: RED}


class TimeAxis(VGroup):
    """Horizontal axis from t0 to t1 seconds, `width` units long, labelled every `every` s."""

    def __init__(self, t0: float, t1: float, width: float, every: float = 1.0,
                 unit: str = "s", minor: float | None = None, color: str = MUTED) -> None:
        super().__init__()
        if t1 <= t0 or width <= 0:
            raise ValueError("a time axis needs t1 > t0 and a positive width")
        self.t0, self.t1 = float(t0), float(t1)
        self.line = Line(LEFT * width / 2, RIGHT * width / 2, color=LINE, stroke_width=3)
        self.ticks = VGroup()
        self.labels = VGroup()
        step = minor or every
        k = int(np.ceil(self.t0 / step - 1e-9))
        while k * step <= self.t1 + 1e-9:
            t = k * step
            major = abs(t / every - round(t / every)) < 1e-6
            tick = Line(UP * 0.0, DOWN * (0.16 if major else 0.08), color=LINE, stroke_width=3)
            tick.move_to(self.point(t), aligned_edge=UP)
            self.ticks.add(tick)
            if major:
                name = text(f"{t:g}{' ' + unit if unit and t == self.t1 else ''}", TYPE.small,
                            color, mono=True)
                name.next_to(tick, DOWN, buff=0.1)
                self.labels.add(name)
            k += 1
        self.add(self.line, self.ticks, self.labels)

    def x(self, t: float) -> float:
        """Scene x of time t (follows the axis wherever it has been moved)."""
        a, b = self.line.get_start()[0], self.line.get_end()[0]
        return a + (t - self.t0) / (self.t1 - self.t0) * (b - a)

    def point(self, t: float, dy: float = 0.0) -> np.ndarray:
        """Scene point at time t on the axis line, raised by dy."""
        return np.array([self.x(t), self.line.get_center()[1] + dy, 0.0])

    def units_per_second(self) -> float:
        """Horizontal scale, for sizing marks so neighbours stay apart."""
        return self.line.get_length() / (self.t1 - self.t0)


def request_mark(status: str, size: float = 0.2) -> VMobject:
    """One request: violet ring pending, green dot accepted, red cross rejected (shape + colour)."""
    colour = MARK_COLOURS[status]
    if status == REJECTED:
        return cross(size, colour, width=6)
    dot = Circle(radius=size / 2, color=colour, stroke_width=3)
    return dot.set_fill(colour, opacity=1.0 if status == ACCEPTED else 0.0)


def stack_levels(xs: Sequence[float], size: float) -> list[int]:
    """Greedy dot-plot rows: each mark takes the lowest row free of marks closer than `size`."""
    levels: list[int] = []
    for i, x in enumerate(xs):
        taken = {levels[j] for j in range(i) if abs(xs[j] - x) < size * 1.05}
        levels.append(next(lv for lv in range(len(xs) + 1) if lv not in taken))
    return levels


class RequestTicks(VGroup):
    """Requests as marks above a TimeAxis, stacked where they crowd; `statuses` gives each look."""

    def __init__(self, axis: TimeAxis, times: Sequence[float], statuses: Sequence[str],
                 size: float = 0.2, gap: float = 0.14) -> None:
        super().__init__()
        if len(times) != len(statuses):
            raise ValueError("one status per request")
        self.times = tuple(float(t) for t in times)
        self.levels = stack_levels([axis.x(t) for t in self.times], size)
        for t, status, level in zip(self.times, statuses, self.levels):
            mark = request_mark(status, size)
            mark.move_to(axis.point(t, gap + size / 2 + level * size * 1.15))
            self.add(mark)

    @classmethod
    def until(cls, axis: TimeAxis, times: Sequence[float], decided: Sequence[str], t: float,
              size: float = 0.2, hide_future: bool = True) -> RequestTicks:
        """Marks as seen at trace time t: decided up to t, later ones pending (or not yet drawn).

        Requests outside the axis's span are left out (they would sit off the stage).
        """
        pairs = [(r, s if r <= t + 1e-9 else PENDING) for r, s in zip(times, decided)
                 if (r <= t + 1e-9 or not hide_future) and axis.t0 <= r <= axis.t1]
        return cls(axis, [p[0] for p in pairs], [p[1] for p in pairs], size)


def request_legend(words: dict[str, str] | None = None, size: float = 0.2) -> VGroup:
    """A key for request marks: each mark next to what it means."""
    words = words or {PENDING: "arriving", ACCEPTED: "passed", REJECTED: "rejected · 429"}
    rows = VGroup()
    for status, meaning in words.items():
        mark = request_mark(status, size)
        rows.add(VGroup(mark, text(meaning, TYPE.small, MUTED).next_to(mark, RIGHT, buff=0.18)))
    return rows.arrange(DOWN, aligned_edge=LEFT, buff=0.16)


class LevelGauge(VGroup):
    """A vertical bucket filled to value/capacity, with notches per unit and 'v / cap' written."""

    def __init__(self, value: float, capacity: float, caption: str = "tokens",
                 height: float = 2.6, width: float = 1.3, color: str = BLUE,
                 fmt: str = "{:.1f}") -> None:
        super().__init__()
        self.value, self.capacity = float(value), float(capacity)
        frac = min(max(self.value / self.capacity, 0.0), 1.0)
        wall = VMobject(color=INK, stroke_width=4)
        wall.set_points_as_corners([[-width / 2, height, 0], [-width / 2, 0, 0],
                                    [width / 2, 0, 0], [width / 2, height, 0]])
        self.fill = Rectangle(width=width - 0.12, height=max(frac * (height - 0.06), 1e-3),
                              stroke_width=0).set_fill(color, opacity=0.75 if frac > 0 else 0)
        self.fill.move_to([0, 0.06, 0], aligned_edge=DOWN)
        notches = VGroup(*[
            Line([-width / 2, height * k / capacity, 0], [-width / 2 + 0.18, height * k / capacity, 0],
                 color=MUTED, stroke_width=3)
            for k in range(1, int(capacity) + 1)
        ])
        self.number = text(f"{fmt.format(self.value)} / {capacity:g}", TYPE.label, INK, mono=True)
        self.number.next_to(wall, UP, buff=0.2)
        self.caption = text(caption, TYPE.small, MUTED)
        self.caption.next_to(wall, DOWN, buff=0.2)
        self.wall = wall
        self.add(self.fill, wall, notches, self.number, self.caption)
        self.move_to(ORIGIN)


class WindowBracket(VGroup):
    """A shaded span [start, end] over a TimeAxis with a bracket and a label above: a window."""

    def __init__(self, axis: TimeAxis, start: float, end: float, words: str = "",
                 color: str = AMBER, height: float = 1.3, text_color: str | None = None,
                 opacity: float = 0.14) -> None:
        super().__init__()
        lo, hi = max(start, axis.t0), min(end, axis.t1)
        self.start, self.end = start, end
        x0, x1 = axis.x(lo), axis.x(hi)
        y0 = axis.line.get_center()[1]
        self.band = Rectangle(width=max(x1 - x0, 1e-3), height=height, stroke_width=0)
        self.band.set_fill(color, opacity=opacity).move_to([(x0 + x1) / 2, y0 + height / 2, 0])
        top = y0 + height
        parts = [Line([x0, top, 0], [x1, top, 0])]
        if start >= axis.t0:
            parts.append(Line([x0, top, 0], [x0, top - 0.2, 0]))
        if end <= axis.t1:
            parts.append(Line([x1, top, 0], [x1, top - 0.2, 0]))
        self.bracket = VGroup(*parts).set_stroke(color, width=4)
        self.add(self.band, self.bracket)
        if words:
            self.text = text(words, TYPE.small, text_color or color)
            self.text.next_to(self.bracket, UP, buff=0.12)
            self.add(self.text)


def level_curve(axis: TimeAxis, points: Sequence[tuple[float, float]], capacity: float,
                height: float, color: str = BLUE) -> VMobject:
    """A level over time (t, value) drawn above an axis, scaled so `capacity` is `height` up."""
    y0 = axis.line.get_center()[1]
    pts = [[axis.x(t), y0 + height * v / capacity, 0] for t, v in points]
    curve = VMobject(color=color, stroke_width=4)
    if len(pts) >= 2:
        curve.set_points_as_corners(pts)
    return curve


def playhead(axis: TimeAxis, t: float, height: float = 1.6, color: str = INK) -> Line:
    """A thin vertical 'now' line over the axis at time t."""
    base = axis.point(t)
    return Line(base + DOWN * 0.05, base + UP * height, color=color, stroke_width=3)


def chip(words: str, color: str = BLUE, px: float = TYPE.small, mono: bool = False) -> VGroup:
    """A word on a rounded panel (a tag such as '429' or a token), text in the accent colour."""
    label = text(words, px, color, mono=mono)
    box = RoundedRectangle(corner_radius=0.1, width=label.width + 0.3, height=label.height + 0.24,
                           stroke_color=color, stroke_width=3).set_fill(PANEL, opacity=1)
    return VGroup(box, label.move_to(box))


def replay(scene: Scene, draw: Callable[[float], Mobject], t0: float, t1: float,
           run_time: float) -> Mobject:
    """Animate draw(t) as t runs linearly t0 -> t1; leaves the static draw(t1) on stage."""
    tracker = ValueTracker(t0)
    live = always_redraw(lambda: draw(tracker.get_value()))
    scene.add(live)
    scene.play(tracker.animate.set_value(t1), run_time=run_time, rate_func=linear)
    scene.remove(live)
    final = draw(t1)
    scene.add(final)
    return final


__all__ = [
    "ACCEPTED",
    "PENDING",
    "REJECTED",
    "LevelGauge",
    "RequestTicks",
    "TimeAxis",
    "WindowBracket",
    "chip",
        "level_curve",
    "playhead",
    "replay",
    "request_legend",
    "request_mark",
    "stack_levels",
]
