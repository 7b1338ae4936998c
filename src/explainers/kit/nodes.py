"""A server in a cluster: a circle with its name and term, styled by role with shape cues, not colour alone."""

from __future__ import annotations

import math

import numpy as np
from manim import (
    DOWN,
    TAU,
    UP,
    Animation,
    Arc,
    Circle,
    DashedVMobject,
    Line,
    ManimColor,
    MoveToTarget,
    Polygon,
    VGroup,
    VMobject,
    interpolate_color,
    linear,
)

from explainers.kit.text import swap_text, text
from explainers.kit.theme import AMBER, BG, BLUE, GREEN, GREY, INK, LINE, MUTED, RED, TYPE

FOLLOWER, CANDIDATE, LEADER = "follower", "candidate", "leader"
ROLE_COLOR = {FOLLOWER: BLUE, CANDIDATE: AMBER, LEADER: GREEN}
# The cue that does not depend on colour: follower one ring, candidate two rings, leader two
# rings and a crown; a crashed server is grey and dashed with a red cross.
ROLE_RINGS = {FOLLOWER: 1, CANDIDATE: 2, LEADER: 2}
NODE_RADIUS = 0.58
# The election timer: a thin arc in a quiet grey, well outside the rings so it never reads as one.
TIMER_GAP, TIMER_WIDTH, TIMER_COLOR = 0.3, 4, "#5A626D"


def tint(color: str, amount: float = 0.16) -> str:
    """The dark fill of a shape whose outline is `color` (the background, lightly tinted)."""
    return interpolate_color(ManimColor(BG), ManimColor(color), amount).to_hex()


def crown(width: float = 0.46, color: str = GREEN) -> Polygon:
    """A three-pointed crown: the leader's mark, readable without colour."""
    w, h = width, width * 0.62
    pts = [(-w / 2, 0), (-w / 2, h), (-w / 4, h * 0.45), (0, h), (w / 4, h * 0.45), (w / 2, h),
           (w / 2, 0)]
    return Polygon(*[np.array([x, y, 0.0]) for x, y in pts], color=color, fill_color=color,
                   fill_opacity=1, stroke_width=2)


def down_badge(radius: float = 0.21) -> VGroup:
    """A red disc with a dark X: the mark of a crashed server, placed on its rim."""
    disc = Circle(radius=radius, stroke_width=0, fill_color=RED, fill_opacity=1)
    return VGroup(disc, cross(radius * 1.0, BG, width=6))


def cross(size: float, color: str = RED, width: float = 8) -> VGroup:
    """An X: failure or a crashed server."""
    s = size / 2
    return VGroup(Line([-s, -s, 0], [s, s, 0]), Line([-s, s, 0], [s, -s, 0])).set_stroke(
        color, width=width)


class ServerNode(VGroup):
    """A server: ring(s) by role, name, term label, optional election-timer arc, crashed look."""

    def __init__(self, name: str, role: str = FOLLOWER, term: int | None = 0, *,
                 alive: bool = True, radius: float = NODE_RADIUS) -> None:
        super().__init__()
        self.name, self.radius = name, radius
        self.role, self.term, self.alive = role, term, alive
        self.timer_fraction: float | None = None
        self.body = Circle(radius=radius, stroke_width=6)
        self.outer = Circle(radius=radius + 0.11, stroke_width=3.5)
        self.crown = crown().next_to(self.outer, UP, buff=0.04)
        self.x_mark = down_badge().move_to(
            self.body.point_at_angle(math.pi / 4) + np.array([0.06, 0.06, 0]))
        self.name_label = text(name or "S0", TYPE.label, INK, mono=True, bold=True)
        if not name:
            self.name_label.set_opacity(0)
        self.term_label = text("t0", TYPE.small, MUTED, mono=True)
        self.dashes = DashedVMobject(Circle(radius=radius), num_dashes=16).set_stroke(GREY, 6)
        self.timer = Arc(radius=radius + TIMER_GAP, start_angle=math.pi / 2, angle=-TAU,
                         stroke_width=TIMER_WIDTH, color=TIMER_COLOR)
        self.add(self.timer, self.outer, self.body, self.dashes, self.name_label, self.term_label,
                 self.crown, self.x_mark)
        self.set_state(role=role, term=term, alive=alive)
        self.set_timer(None)

    # -- state ---------------------------------------------------------------------------
    @property
    def role_color(self) -> str:
        """The role colour (grey when crashed)."""
        return ROLE_COLOR[self.role] if self.alive else GREY

    def set_state(self, role: str | None = None, term: int | None | bool = False,
                  alive: bool | None = None) -> ServerNode:
        """Restyle in place; `term=None` hides the term label, False leaves it as it is."""
        self.role = role or self.role
        if term is not False:
            self.term = term  # type: ignore[assignment]
        if alive is not None:
            self.alive = alive
        c = self.role_color
        center = self.body.get_center()
        self.body.set_stroke(c, width=6).set_fill(tint(c), opacity=1)
        self.body.set_stroke(opacity=1 if self.alive else 0)
        self.dashes.set_stroke(opacity=0 if self.alive else 1)
        rings = ROLE_RINGS[self.role] if self.alive else 1
        self.outer.set_stroke(c, width=3.5 if self.role == CANDIDATE else 6,
                              opacity=1 if rings == 2 else 0)
        self.crown.set_opacity(1 if self.alive and self.role == LEADER else 0)
        self.x_mark.set_opacity(0 if self.alive else 1)
        if self.name:
            self.name_label.set_fill(INK if self.alive else MUTED)
        label = "" if self.term is None else f"t{self.term}"
        new = text(label or "t0", TYPE.small, MUTED, mono=True)
        new.set_opacity(1 if label else 0)
        self.term_label = swap_text(self, self.term_label, new)
        self._place_labels(center)
        return self

    def _place_labels(self, center: np.ndarray) -> None:
        if not self.name:
            self.term_label.move_to(center)
        elif self.term is None:
            self.name_label.move_to(center)
        else:
            gap = 0.06
            total = self.name_label.height + gap + self.term_label.height
            self.name_label.move_to(center + UP * (total / 2 - self.name_label.height / 2))
            self.term_label.move_to(center + DOWN * (total / 2 - self.term_label.height / 2))

    def set_timer(self, fraction: float | None) -> ServerNode:
        """Show the election timer as an arc: `fraction` of the timeout left (None hides it)."""
        self.timer_fraction = fraction
        center = self.body.get_center()
        f = 1e-3 if not fraction else max(1e-3, min(1.0, fraction))
        arc = Arc(radius=self.radius + TIMER_GAP, start_angle=math.pi / 2, angle=-TAU * f,
                  stroke_width=TIMER_WIDTH, color=TIMER_COLOR).shift(center)
        self.timer.become(arc)
        self.timer.set_stroke(opacity=0 if fraction is None or not self.alive else 1)
        return self

    # -- animations ------------------------------------------------------------------------
    def to_state(self, role: str | None = None, term: int | None | bool = False,
                 alive: bool | None = None, timer: float | None | bool = False) -> Animation:
        """Animate a change of role, term, life or timer (one smooth restyle)."""
        self.generate_target()
        self.target.set_state(role=role, term=term, alive=alive)
        if timer is not False:
            self.target.set_timer(timer)  # type: ignore[arg-type]
        self._adopt(self.target)
        return MoveToTarget(self)

    def _adopt(self, other: ServerNode) -> None:
        """Take the target's state attributes (MoveToTarget moves points, not attributes)."""
        self.role, self.term, self.alive = other.role, other.term, other.alive
        self.timer_fraction = other.timer_fraction

    @property
    def center(self) -> np.ndarray:
        """The centre of the circle (the group's box also holds the crown and timer)."""
        return self.body.get_center()

    def at(self, point: np.ndarray | tuple[float, float, float]) -> ServerNode:
        """Put the circle's centre at `point` (use this rather than move_to)."""
        return self.shift(np.array(point, dtype=float) - self.center)

    def edge_point(self, toward: np.ndarray, extra: float = 0.0) -> np.ndarray:
        """The point on the node's rim facing `toward` (plus `extra` beyond it)."""
        c = self.body.get_center()
        d = np.array(toward, dtype=float) - c
        n = np.linalg.norm(d)
        return c if n == 0 else c + d / n * (self.radius + extra)


def timer_arc(fraction: float = 0.7, radius: float = 0.25) -> Arc:
    """The timer's look on its own (for legends)."""
    return Arc(radius=radius, start_angle=math.pi / 2, angle=-TAU * fraction,
               stroke_width=TIMER_WIDTH, color=TIMER_COLOR)


def timer_sweep(node: ServerNode, start: float, end: float) -> Animation:
    """The election timer running down from `start` to `end` (fractions of the timeout), linearly."""
    node.set_timer(start)
    node.generate_target()
    node.target.set_timer(end)
    node.timer_fraction = end
    return MoveToTarget(node, rate_func=linear)


def node_ring(names: list[str], positions: list[np.ndarray], **kw: object) -> VGroup:
    """One ServerNode per name at the given centres."""
    return VGroup(*[ServerNode(n, **kw).at(p) for n, p in zip(names, positions)])  # type: ignore[arg-type]


def edge(a: ServerNode, b: ServerNode, color: str = LINE, width: float = 3) -> VMobject:
    """A quiet line between two nodes' rims: the path messages travel."""
    pa, pb = a.body.get_center(), b.body.get_center()
    return Line(a.edge_point(pb, 0.14), b.edge_point(pa, 0.14), color=color, stroke_width=width)
