"""Request traces for the rate-limiting models: the hand-placed story and seeded random ones."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Segment:
    """A named stretch of the story trace, so a scene can caption what the viewer is seeing."""

    name: str
    start: float
    end: float
    indices: tuple[int, ...]  # positions in the trace of the requests inside [start, end)


def _ticks(start: float, step: float, n: int) -> list[float]:
    """Evenly spaced timestamps, rounded so labels read as written (1.6, not 1.6000000000000001)."""
    return [round(start + i * step, 6) for i in range(n)]


def story_parts() -> tuple[tuple[str, float, float, list[float]], ...]:
    """The story's four acts: (name, start, end, timestamps); times in seconds, W = 4 s."""
    return (
        ("idle", 0.0, 1.5, []),
        ("burst", 1.5, 4.0, _ticks(1.5, 0.1, 6)),  # 6 requests in 0.5 s
        ("steady", 4.0, 12.0, _ticks(6.0, 1.0, 6)),  # 1 request/s = r = L/W
        ("boundary burst", 12.0, 17.0, _ticks(15.5, 0.1, 4) + _ticks(16.0, 0.1, 4)),
    )


def story_trace() -> tuple[float, ...]:
    """The video's trace: deterministic on purpose, so the numbers on screen never drift."""
    return tuple(t for *_, ts in story_parts() for t in ts)


def story_segments() -> tuple[Segment, ...]:
    """The acts of `story_trace` with the indices of their requests."""
    segments, i = [], 0
    for name, start, end, ts in story_parts():
        segments.append(Segment(name, start, end, tuple(range(i, i + len(ts)))))
        i += len(ts)
    return tuple(segments)


def random_trace(
    seed: int,
    duration: float = 30.0,
    rate: float = 2.0,
    bursts_per_s: float = 0.15,
    burst_size: tuple[int, int] = (3, 15),
    burst_spread: float = 0.5,
    resolution: float = 0.001,
) -> tuple[float, ...]:
    """Poisson background traffic plus Poisson-timed bursts: the shape that breaks limiters.

    Timestamps are quantised to `resolution` so ties and exact window boundaries occur too.
    """
    rng = random.Random(seed)
    times: list[float] = []
    t = rng.expovariate(rate)
    while t < duration:
        times.append(t)
        t += rng.expovariate(rate)
    t = rng.expovariate(bursts_per_s)
    while t < duration:
        size = rng.randint(*burst_size)
        times.extend(t + rng.uniform(0.0, burst_spread) for _ in range(size))
        t += rng.expovariate(bursts_per_s)
    steps = sorted(round(x / resolution) for x in times if x < duration)
    return tuple(round(k * resolution, 9) for k in steps)


def boundary_burst_trace(
    limit: int, window: float, boundary: float | None = None, spread: float | None = None
) -> tuple[float, ...]:
    """L requests just before a window boundary and L just after: the fixed window's worst case."""
    boundary = window if boundary is None else boundary
    spread = window / 10 if spread is None else spread
    gap = spread / limit
    before = [boundary - spread + i * gap for i in range(limit)]
    after = [boundary + i * gap for i in range(limit)]
    return tuple(before + after)


def uniform_trace(rate: float, duration: float, start: float = 0.0) -> tuple[float, ...]:
    """Perfectly even traffic: the case the sliding counter's uniformity assumption gets right."""
    n = int(duration * rate)
    return tuple(start + i / rate for i in range(n))


def idle_then_flood_trace(idle: float, rate: float, duration: float) -> tuple[float, ...]:
    """Nothing for `idle` seconds, then far more than any limit: shows burst then steady rate."""
    n = int(duration * rate)
    return tuple(idle + i / rate for i in range(n))
