"""The rate-limiting story: one trace through all four limiters, bundled for the scene."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from explainers.sim.rate_limit import (
    BucketState,
    CounterError,
    CounterState,
    FixedWindow,
    LogState,
    Run,
    SlidingCounter,
    SlidingLog,
    TokenBucket,
    WindowState,
    check_trace,
    counter_error,
    simulate,
)
from explainers.sim.rate_limit_traces import Segment, story_segments, story_trace


@dataclass(frozen=True)
class Limits:
    """One set of numbers for all four algorithms: bucket (b, r) and windows (L per W)."""

    capacity: float
    rate: float
    limit: int
    window: float

    def bucket(self) -> TokenBucket:
        return TokenBucket(self.capacity, self.rate)

    def fixed(self) -> FixedWindow:
        return FixedWindow(self.limit, self.window)

    def log(self) -> SlidingLog:
        return SlidingLog(self.limit, self.window)

    def counter(self) -> SlidingCounter:
        return SlidingCounter(self.limit, self.window)


@dataclass(frozen=True)
class Comparison:
    """The same trace through all four limiters, side by side as the video shows them."""

    trace: tuple[float, ...]
    limits: Limits
    bucket: Run[BucketState]
    fixed: Run[WindowState]
    log: Run[LogState]
    counter: Run[CounterState]

    @property
    def runs(self) -> tuple[Run, ...]:
        return (self.bucket, self.fixed, self.log, self.counter)


def compare(
    trace: Sequence[float], limits: Limits, dt: float = 0.05, t_end: float | None = None
) -> Comparison:
    """Run all four limiters on one trace."""
    times = check_trace(trace)
    return Comparison(
        times,
        limits,
        simulate(limits.bucket(), times, dt, t_end),
        simulate(limits.fixed(), times, dt, t_end),
        simulate(limits.log(), times, dt, t_end),
        simulate(limits.counter(), times, dt, t_end),
    )


def story_limits() -> Limits:
    """b = 4 tokens, r = 1/s; L = 4 per W = 4 s: the same long-run rate and burst for all."""
    return Limits(capacity=4, rate=1.0, limit=4, window=4.0)


@dataclass(frozen=True)
class Story:
    """Everything the rate-limiting scene draws."""

    comparison: Comparison
    segments: tuple[Segment, ...]
    counter_check: CounterError


def story(dt: float = 0.05) -> Story:
    """The video's trace through all four limiters, with its acts and the counter's error."""
    limits = story_limits()
    comparison = compare(story_trace(), limits, dt, t_end=18.0)
    return Story(comparison, story_segments(), counter_error(limits.counter(), comparison.trace))
