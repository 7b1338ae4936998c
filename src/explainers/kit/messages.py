"""Messages in flight (violet pills moving along edges) and the verdicts receivers give them."""

from __future__ import annotations

import numpy as np
from manim import (
    RIGHT,
    Animation,
    Line,
    Mobject,
    RoundedRectangle,
    UpdateFromAlphaFunc,
    VGroup,
    linear,
    rate_functions,
)

from explainers.kit.nodes import ServerNode, cross
from explainers.kit.text import text
from explainers.kit.theme import BG, GREEN, RED, TYPE, VIOLET

MESSAGE_SPEED = 4.0  # Manim units per second: a pill crosses a 3-unit edge in ~0.75 s
MESSAGE_TIME = (0.5, 1.2)  # shortest and longest travel, seconds
FADE = 0.15  # share of a trip spent fading in (and out, for a vanishing pill)


class Message(VGroup):
    """A violet pill with a short label (e.g. 'vote t2'): one message on the wire."""

    def __init__(self, label: str = "", color: str = VIOLET) -> None:
        super().__init__()
        self.label = text(label or "·", TYPE.small, BG, mono=True, bold=True)
        if not label:
            self.label.set_opacity(0)
        w, h = (max(0.5, self.label.width + 0.3), 0.44) if label else (0.56, 0.32)
        self.pill = RoundedRectangle(width=w, height=h, corner_radius=h * 0.45, stroke_width=0,
                                     fill_color=color, fill_opacity=1)
        self.label.move_to(self.pill)
        self.labelled = bool(label)
        self.add(self.pill, self.label)

    def show(self, opacity: float) -> Message:
        """Fade the pill (and its label, if it has one) to `opacity`."""
        self.pill.set_fill(opacity=opacity)
        self.label.set_opacity(opacity if self.labelled else 0)
        return self


def travel_time(a: np.ndarray, b: np.ndarray) -> float:
    """Seconds for a message to cross from a to b at a readable, constant speed."""
    d = float(np.linalg.norm(np.asarray(b) - np.asarray(a)))
    return min(MESSAGE_TIME[1], max(MESSAGE_TIME[0], d / MESSAGE_SPEED))


def endpoints(src: ServerNode, dst: ServerNode, msg: Mobject) -> tuple[np.ndarray, np.ndarray]:
    """Where a pill starts and stops: just outside each rim, on the line between the centres."""
    half = max(msg.width, msg.height) / 2
    return src.edge_point(dst.center, 0.1 + half * 0.6), dst.edge_point(src.center, 0.1 + half * 0.6)


def send(src: ServerNode, dst: ServerNode, label: str = "", *, run_time: float | None = None,
         stop: float = 1.0, vanish: bool = False) -> tuple[Message, Animation]:
    """A new pill and its trip from src to dst: it fades in as it leaves (so pills leaving one
    node together do not pile up), `stop` < 1 halts it part way (e.g. a lost message), and
    `vanish` fades it out as it arrives (replies converging on one node)."""
    msg = Message(label)
    a, b = endpoints(src, dst, msg)
    end = a + (b - a) * stop
    msg.move_to(a).show(0.0)
    rt = run_time if run_time is not None else travel_time(a, end)

    def fly(m: Message, alpha: float) -> None:
        m.move_to(a + (end - a) * rate_functions.ease_in_out_sine(alpha))
        seen = min(1.0, alpha / FADE)
        if vanish:
            seen = min(seen, (1.0 - alpha) / FADE)
        m.show(seen)

    return msg, UpdateFromAlphaFunc(msg, fly, run_time=rt, introducer=True)


def path_of(src: ServerNode, dst: ServerNode) -> Line:
    """The straight line between two nodes' centres (for placing tags along an edge)."""
    return Line(src.center, dst.center)


def check(size: float = 0.3, color: str = GREEN, width: float = 7) -> VGroup:
    """A check mark: yes, granted, stored."""
    s = size
    return VGroup(Line([-s / 2, 0, 0], [-s / 8, -s * 0.4, 0]),
                  Line([-s / 8, -s * 0.4, 0], [s / 2, s * 0.45, 0])).set_stroke(color, width=width)


class Verdict(VGroup):
    """A receiver's answer beside it: check + 'yes' in green, or cross + 'no · reason' in red."""

    def __init__(self, ok: bool, words: str) -> None:
        super().__init__()
        color = GREEN if ok else RED
        self.ok = ok
        self.icon = check(0.3, color) if ok else cross(0.26, color, width=7)
        self.words = text(words, TYPE.small, color)
        self.words.next_to(self.icon, RIGHT, buff=0.12)
        self.add(self.icon, self.words)

    def flip(self) -> Verdict:
        """Icon on the right instead (for tags left of their node)."""
        self.icon.next_to(self.words, RIGHT, buff=0.12)
        return self


def hop(msg: Message, to: np.ndarray, run_time: float | None = None) -> Animation:
    """Move an existing pill to a point at message speed."""
    rt = run_time if run_time is not None else travel_time(msg.get_center(), to)
    return msg.animate(rate_func=linear, run_time=rt).move_to(to)


