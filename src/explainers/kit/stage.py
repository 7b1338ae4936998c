"""Where things may go: the stage inside the margins above the caption band, and checks for it."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
from manim import Mobject, Text, VMobject

from explainers.kit.text import px_of
from explainers.kit.theme import LAYOUT, TYPE

Point = np.ndarray


def ring_positions(n: int, center: Sequence[float] = (0, 0, 0), radius: float = 2.0,
                   start_deg: float = 90.0, radius_y: float | None = None) -> list[Point]:
    """n points evenly on a circle (or an ellipse with `radius_y`), the first at `start_deg`,
    going clockwise: where the servers of a cluster sit."""
    c = np.array(center, dtype=float)
    ry = radius if radius_y is None else radius_y
    out = []
    for k in range(n):
        a = math.radians(start_deg - 360.0 * k / n)
        out.append(c + np.array([radius * math.cos(a), ry * math.sin(a), 0.0]))
    return out


def box(m: Mobject) -> tuple[float, float, float, float]:
    """(left, bottom, right, top) of a mobject's bounding box."""
    return (m.get_left()[0], m.get_bottom()[1], m.get_right()[0], m.get_top()[1])


def clamp_to_stage(m: Mobject, top: float = LAYOUT.content_top) -> Mobject:
    """Shift m the least amount that puts it inside the margins, below `top`, above the captions."""
    left, bottom, right, upper = box(m)
    dx = max(0.0, LAYOUT.left - left) - max(0.0, right - LAYOUT.right)
    dy = max(0.0, LAYOUT.caption_top - bottom) - max(0.0, upper - top)
    return m.shift([dx, dy, 0])


def texts(mobjects: Iterable[Mobject]) -> list[Text]:
    """Every visible Text in the families of `mobjects`."""
    out: list[Text] = []
    for m in mobjects:
        for sub in m.get_family():
            if isinstance(sub, Text) and sub.get_fill_opacity() > 0.05 and sub not in out:
                out.append(sub)
    return out


def _visible(m: Mobject) -> bool:
    if not isinstance(m, VMobject) or not m.has_points():
        return False
    return m.get_fill_opacity() > 0.05 or (m.get_stroke_opacity() > 0.05 and m.get_stroke_width() > 0)


def layout_problems(mobjects: Sequence[Mobject], *, chrome: Sequence[Mobject] = (),
                    min_px: float = TYPE.small, pad: float = 0.02) -> list[str]:
    """What a viewer would stumble on: small text, text overlapping text, content off stage.

    Checks every visible Text (em size, bounds) and every visible shape (bounds). `chrome`
    (title and beat indicator) may sit in the header row but must not be overlapped.
    """
    problems: list[str] = []
    chrome_texts = texts(chrome)
    content = [m for m in mobjects if m not in chrome]
    ts = texts(content)
    for t in ts:
        if px_of(t) < min_px - 2:  # a label morphed by Transform measures a pixel or two off
            problems.append(f"text '{t.text}' is {px_of(t):.0f} px < {min_px:.0f} px")
    for m in content:
        for sub in m.get_family():
            if not _visible(sub):
                continue
            left, bottom, right, top = box(sub)
            name = f"'{sub.text}'" if isinstance(sub, Text) else type(sub).__name__
            if bottom < LAYOUT.caption_top - 1e-3:
                problems.append(f"{name} enters the caption band (bottom {bottom:.2f})")
            if left < LAYOUT.left - 1e-3 or right > LAYOUT.right + 1e-3:
                problems.append(f"{name} crosses a side margin ({left:.2f}..{right:.2f})")
            if top > LAYOUT.top + 1e-3:
                problems.append(f"{name} crosses the top margin ({top:.2f})")
    every = ts + chrome_texts
    for i, a in enumerate(every):
        for b in every[i + 1:]:
            if a in chrome_texts and b in chrome_texts:
                continue
            la, ba, ra, ta = box(a)
            lb, bb, rb, tb = box(b)
            if la < rb - pad and lb < ra - pad and ba < tb - pad and bb < ta - pad:
                problems.append(f"text '{a.text}' overlaps '{b.text}'")
    return sorted(set(problems))
