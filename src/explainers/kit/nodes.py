"""A server in a cluster: a circle with its name and term, styled by role with shape cues, not colour alone."""

from __future__ import annotations

import math

import numpy as np
from manim import (
    DOWN,
    TAU,
    UP,
    Animation,
    AnimationGroup,
    Circle,
    DashedVMobject,
    Line,
    ManimColor,
    Polygon,
    Sector,
    Transform,
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
# The election timer: a small clock badge (a pie of the time left) on the node's upper right,
# where a crashed server wears its red badge instead. A ring around the node was tried first:
# a nearly full timer ring read as the candidate's second ring.
TIMER_R, TIMER_COLOR = 0.22, MUTED


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


class TimerBadge(VGroup):
    """A clock badge: a grey pie of the election timeout still to run, in a thin ring."""

    def __init__(self, fraction: float = 1.0, radius: float = TIMER_R) -> None:
        super().__init__()
        self.radius = radius
        self.face = Circle(radius=radius, stroke_color=TIMER_COLOR, stroke_width=3,
                           fill_color=BG, fill_opacity=1)
        self.pie = Sector(radius=radius * 0.78, angle=-TAU, start_angle=math.pi / 2,
                          stroke_width=0, fill_color=TIMER_COLOR, fill_opacity=1)
        self.add(self.face, self.pie)
        self.fraction = 1.0
        self.set_fraction(fraction)

    def set_fraction(self, fraction: float) -> TimerBadge:
        """Show `fraction` (0..1) of the time left as the pie, clockwise from twelve o'clock."""
        return self.paint(fraction, self.face.get_stroke_opacity())

    def show(self, visible: bool) -> TimerBadge:
        """Show or hide the whole badge (keeping its fraction)."""
        return self.paint(self.fraction, 1.0 if visible else 0.0)

    def paint(self, fraction: float, opacity: float) -> TimerBadge:
        """Draw `fraction` of the time left at `opacity` (0 hides the badge)."""
        self.fraction = f = max(0.0, min(1.0, fraction))
        pie = Sector(radius=self.radius * 0.78, angle=-TAU * max(f, 1e-3), start_angle=math.pi / 2,
                     stroke_width=0, fill_color=TIMER_COLOR, fill_opacity=1)
        self.pie.become(pie.move_arc_center_to(self.face.get_center()))
        self.pie.set_fill(opacity=opacity if f > 0 else 0)
        self.face.set_stroke(opacity=opacity).set_fill(opacity=opacity)
        return self


class TimerTo(Animation):
    """The timer badge running (linearly, as time does) to `end`; None fades it out (or from
    None, in)."""

    def __init__(self, node: ServerNode, end: float | None, **kwargs: object) -> None:
        self.node, self.end = node, end
        self.start = node.timer_fraction
        kwargs.setdefault("rate_func", linear)
        super().__init__(node.timer, **kwargs)  # type: ignore[arg-type]
        node.timer_fraction = end

    def interpolate_mobject(self, alpha: float) -> None:
        if self.start is None and self.end is None:
            return
        a = self.rate_func(alpha)
        badge: TimerBadge = self.mobject  # type: ignore[assignment]
        if self.start is None:
            badge.paint(self.end, a)  # type: ignore[arg-type]
        elif self.end is None:
            badge.paint(self.start, 1 - a)
        else:
            badge.paint(self.start + (self.end - self.start) * a, 1.0)
        if not self.node.alive:
            badge.paint(badge.fraction, 0.0)


class ServerNode(VGroup):
    """A server: ring(s) by role, name, term label, election-timer badge, crashed look."""

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
        self.timer = TimerBadge().move_to(self.x_mark)
        self.look = VGroup(self.outer, self.body, self.dashes, self.name_label, self.term_label,
                           self.crown, self.x_mark)
        self.add(self.look, self.timer)
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
        self.term_label = swap_text(self.look, self.term_label, new)
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
        """Show the election timer badge with `fraction` of the timeout left (None hides it)."""
        self.timer_fraction = fraction
        if fraction is not None:
            self.timer.set_fraction(fraction)
        self.timer.show(fraction is not None and self.alive)
        return self

    # -- animations ------------------------------------------------------------------------
    def to_state(self, role: str | None = None, term: int | None | bool = False,
                 alive: bool | None = None, timer: float | None | bool = False) -> Animation:
        """Animate a change of role, term or life (one smooth restyle) and of the timer (linear)."""
        target = self.copy()
        target.set_state(role=role, term=term, alive=alive)
        self.role, self.term, self.alive = target.role, target.term, target.alive
        anims: list[Animation] = [Transform(self.look, target.look)]
        if timer is not False:
            anims.append(TimerTo(self, timer))  # type: ignore[arg-type]
        elif not self.alive and self.timer_fraction is not None:
            anims.append(TimerTo(self, None))
        return AnimationGroup(*anims)

    def crown_side(self, direction: np.ndarray) -> ServerNode:
        """Put the leader's crown on one side (UP, LEFT, RIGHT, DOWN), e.g. away from edges."""
        self.crown.next_to(self.outer, direction, buff=0.06)
        return self

    @property
    def center(self) -> np.ndarray:
        """The centre of the circle (the group's box also holds the crown and badges)."""
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


def timer_sweep(node: ServerNode, start: float, end: float) -> Animation:
    """The election timer running down from `start` to `end` (fractions of the timeout), linearly."""
    node.set_timer(start)
    return TimerTo(node, end)


def node_ring(names: list[str], positions: list[np.ndarray], **kw: object) -> VGroup:
    """One ServerNode per name at the given centres."""
    return VGroup(*[ServerNode(n, **kw).at(p) for n, p in zip(names, positions)])  # type: ignore[arg-type]


def edge(a: ServerNode, b: ServerNode, color: str = LINE, width: float = 3) -> VMobject:
    """A quiet line between two nodes' rims: the path messages travel."""
    pa, pb = a.body.get_center(), b.body.get_center()
    return Line(a.edge_point(pb, 0.14), b.edge_point(pa, 0.14), color=color, stroke_width=width)
