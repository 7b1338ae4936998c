"""A horizontal timeline: coloured spans (e.g. terms) with brackets and labelled event marks."""

from __future__ import annotations

from manim import DOWN, RIGHT, UP, Line, Rectangle, VGroup

from explainers.kit.text import text
from explainers.kit.theme import INK, LINE, MUTED, TYPE

BAR_H = 0.42


class Timeline(VGroup):
    """Time from `start` to `end` drawn `width` units wide; add spans, brackets and marks on it."""

    def __init__(self, start: float, end: float, width: float = 10.0,
                 axis_label: str | None = None) -> None:
        super().__init__()
        if end <= start:
            raise ValueError("a timeline needs end > start")
        self.start, self.end, self.span_width = start, end, width
        self.axis = Line([-width / 2, 0, 0], [width / 2, 0, 0], color=LINE, stroke_width=3)
        self.add(self.axis)
        self.spans = VGroup()
        self.brackets = VGroup()
        self.marks = VGroup()
        self.add(self.spans, self.brackets, self.marks)
        if axis_label:
            self.axis_label = text(axis_label, TYPE.small, MUTED).next_to(self.axis, DOWN, 0.15)
            self.axis_label.align_to(self.axis, RIGHT)
            self.add(self.axis_label)

    def x(self, t: float) -> float:
        """The x coordinate of time t."""
        left = self.axis.get_start()[0]
        return left + (t - self.start) / (self.end - self.start) * self.span_width

    def point(self, t: float, dy: float = 0.0) -> list[float]:
        """A point on (or `dy` above) the axis at time t."""
        return [self.x(t), self.axis.get_center()[1] + dy, 0]

    def span(self, t0: float, t1: float, color: str, label: str | None = None,
             label_color: str | None = None) -> VGroup:
        """A bar from t0 to t1 on the axis, with an optional label inside (or below if narrow)."""
        w = max(0.04, self.x(t1) - self.x(t0))
        bar = Rectangle(width=w, height=BAR_H, stroke_width=0, fill_color=color, fill_opacity=0.85)
        bar.move_to(self.point((t0 + t1) / 2, BAR_H / 2 + 0.02))
        group = VGroup(bar)
        if label:
            lab = text(label, TYPE.small, label_color or color)
            lab.next_to(bar, DOWN, buff=0.14)
            group.add(lab)
        self.spans.add(group)
        return group

    def bracket(self, t0: float, t1: float, label: str, color: str = INK) -> VGroup:
        """A thin bracket over [t0, t1] with a label above it (e.g. 'term 2')."""
        y = BAR_H + 0.16
        a, b = self.point(t0, y), self.point(t1, y)
        line = Line(a, b, color=MUTED, stroke_width=3)
        ticks = VGroup(Line(a, [a[0], a[1] - 0.12, 0]), Line(b, [b[0], b[1] - 0.12, 0]))
        ticks.set_stroke(MUTED, width=3)
        lab = text(label, TYPE.small, color).next_to(line, UP, buff=0.1)
        group = VGroup(line, ticks, lab)
        self.brackets.add(group)
        return group

    def mark(self, t: float, label: str, color: str = INK, below: bool = True) -> VGroup:
        """A tick at time t with a short label under (or over) the axis."""
        tick = Line(self.point(t, -0.12), self.point(t, BAR_H + 0.06), color=color, stroke_width=4)
        lab = text(label, TYPE.small, color).next_to(tick, DOWN if below else UP, buff=0.1)
        group = VGroup(tick, lab)
        self.marks.add(group)
        return group
