"""Four rate limiters driven by one request trace, recording every state a scene has to draw.

Each limiter is a frozen parameter object with three pure steps: `at` (let time pass: refill,
roll the window, forget old timestamps), `admit` (decide one request) and `gauge` (the one
number the scene's meter shows). `simulate` runs a limiter over a trace and keeps, per request,
the state just before and just after the decision, plus the gauge sampled over time.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import ClassVar, Generic, Protocol, TypeVar

EPS = 1e-9  # float slack so "refilled to exactly one token" counts as a token

S = TypeVar("S")


class Limiter(Protocol[S]):
    """What `simulate` needs from a limiter; states are immutable values."""

    kind: ClassVar[str]

    def initial(self) -> S: ...

    def at(self, state: S, t: float) -> S: ...

    def admit(self, state: S) -> tuple[S, bool]: ...

    def gauge(self, state: S) -> float: ...


# --- token bucket ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BucketState:
    """Tokens in the bucket at time t (refill is continuous, so this is exact at t)."""

    t: float
    tokens: float


@dataclass(frozen=True)
class TokenBucket:
    """Holds at most `capacity` tokens, refills `rate` per second; a request spends one."""

    capacity: float
    rate: float
    kind: ClassVar[str] = "token bucket"

    def initial(self) -> BucketState:
        return BucketState(0.0, float(self.capacity))

    def at(self, state: BucketState, t: float) -> BucketState:
        tokens = min(float(self.capacity), state.tokens + self.rate * (t - state.t))
        return BucketState(t, tokens)

    def admit(self, state: BucketState) -> tuple[BucketState, bool]:
        if state.tokens >= 1.0 - EPS:
            return BucketState(state.t, max(0.0, state.tokens - 1.0)), True
        return state, False

    def gauge(self, state: BucketState) -> float:
        return state.tokens


# --- fixed window ---------------------------------------------------------------------------


@dataclass(frozen=True)
class WindowState:
    """Accepted count in the current window [window_start, window_start + W)."""

    t: float
    index: int  # window number: floor(t / W)
    window_start: float
    count: int


@dataclass(frozen=True)
class FixedWindow:
    """At most `limit` per window, windows aligned at multiples of `window`; resets at each edge."""

    limit: int
    window: float
    kind: ClassVar[str] = "fixed window"

    def initial(self) -> WindowState:
        return WindowState(0.0, 0, 0.0, 0)

    def at(self, state: WindowState, t: float) -> WindowState:
        index = math.floor(t / self.window)
        count = state.count if index == state.index else 0
        return WindowState(t, index, index * self.window, count)

    def admit(self, state: WindowState) -> tuple[WindowState, bool]:
        if state.count < self.limit:
            return WindowState(state.t, state.index, state.window_start, state.count + 1), True
        return state, False

    def gauge(self, state: WindowState) -> float:
        return float(state.count)


# --- sliding window log ---------------------------------------------------------------------


@dataclass(frozen=True)
class LogState:
    """Timestamps of accepted requests still inside the trailing window (t - W, t]."""

    t: float
    log: tuple[float, ...]

    @property
    def memory(self) -> int:
        """Stored timestamps: the O(L)-per-key cost of exactness."""
        return len(self.log)


@dataclass(frozen=True)
class SlidingLog:
    """Exactly at most `limit` accepted in any trailing `window`; only accepted requests are logged.

    A timestamp s is inside the window at time t while t - s < W, so two requests exactly W
    apart never share a window.
    """

    limit: int
    window: float
    kind: ClassVar[str] = "sliding log"

    def initial(self) -> LogState:
        return LogState(0.0, ())

    def at(self, state: LogState, t: float) -> LogState:
        return LogState(t, tuple(s for s in state.log if t - s < self.window))

    def admit(self, state: LogState) -> tuple[LogState, bool]:
        if len(state.log) < self.limit:
            return LogState(state.t, state.log + (state.t,)), True
        return state, False

    def gauge(self, state: LogState) -> float:
        return float(len(state.log))


# --- sliding window counter -----------------------------------------------------------------


@dataclass(frozen=True)
class CounterState:
    """Two counters and the estimate prev * (1 - f) + curr, f = fraction of current window gone."""

    t: float
    index: int
    window_start: float
    prev_count: int
    curr_count: int
    fraction: float
    estimate: float


@dataclass(frozen=True)
class SlidingCounter:
    """Approximates the sliding log with two integers by assuming the previous window was uniform.

    Accepts when estimate < limit. Counts accepted requests only. Error bound: with
    prev = previous window's count, the exact trailing count is curr + n_tail where n_tail
    (previous-window requests still within W of t) lies in [0, prev], so
    estimate - exact = prev * (1 - f) - n_tail lies in [-prev * f, prev * (1 - f)], hence
    |error| <= prev * max(f, 1 - f) <= prev <= limit (curr <= limit since estimate >= curr).
    It is 0 (up to 1, from counting whole requests) only if the previous window was uniform.
    """

    limit: int
    window: float
    kind: ClassVar[str] = "sliding counter"

    def initial(self) -> CounterState:
        return CounterState(0.0, 0, 0.0, 0, 0, 0.0, 0.0)

    def at(self, state: CounterState, t: float) -> CounterState:
        index = math.floor(t / self.window)
        if index == state.index:
            prev, curr = state.prev_count, state.curr_count
        elif index == state.index + 1:
            prev, curr = state.curr_count, 0
        else:
            prev, curr = 0, 0
        start = index * self.window
        f = min(max((t - start) / self.window, 0.0), 1.0)
        return CounterState(t, index, start, prev, curr, f, prev * (1.0 - f) + curr)

    def admit(self, state: CounterState) -> tuple[CounterState, bool]:
        if state.estimate < self.limit:
            grown = replace(state, curr_count=state.curr_count + 1, estimate=state.estimate + 1.0)
            return grown, True
        return state, False

    def gauge(self, state: CounterState) -> float:
        return state.estimate


# --- running a trace ------------------------------------------------------------------------


@dataclass(frozen=True)
class Step(Generic[S]):
    """One request: its decision and the limiter state just before and just after it."""

    index: int
    t: float
    accepted: bool
    before: S
    after: S


@dataclass(frozen=True)
class Sample(Generic[S]):
    """The meter at time t (for a gauge animated over time)."""

    t: float
    value: float
    state: S


@dataclass(frozen=True)
class Run(Generic[S]):
    """A limiter's whole history on one trace."""

    kind: str
    trace: tuple[float, ...]
    steps: tuple[Step[S], ...]
    samples: tuple[Sample[S], ...]  # grid points plus a before/after pair at every request

    @property
    def decisions(self) -> tuple[bool, ...]:
        return tuple(s.accepted for s in self.steps)

    @property
    def accepted_times(self) -> tuple[float, ...]:
        return tuple(s.t for s in self.steps if s.accepted)

    @property
    def rejected_indices(self) -> tuple[int, ...]:
        return tuple(s.index for s in self.steps if not s.accepted)


def check_trace(trace: Sequence[float]) -> tuple[float, ...]:
    """Fail loudly on traces the models are not defined for, rather than drawing nonsense."""
    out = tuple(float(t) for t in trace)
    if any(t < 0 or not math.isfinite(t) for t in out):
        raise ValueError("trace timestamps must be finite and >= 0")
    if any(b < a for a, b in itertools.pairwise(out)):
        raise ValueError("trace timestamps must be sorted")
    return out


def simulate(
    limiter: Limiter[S], trace: Sequence[float], dt: float = 0.05, t_end: float | None = None
) -> Run[S]:
    """Run `limiter` over `trace`; sample its gauge every `dt` seconds from 0 to `t_end`."""
    times = check_trace(trace)
    t_end = (times[-1] if times else 0.0) + 1.0 if t_end is None else t_end
    state = limiter.initial()
    steps: list[Step[S]] = []
    samples: list[Sample[S]] = []
    grid = [k * dt for k in range(math.floor(t_end / dt + EPS) + 1)]
    g = 0
    for i, t in enumerate(times):
        while g < len(grid) and grid[g] < t:
            s = limiter.at(state, grid[g])
            samples.append(Sample(grid[g], limiter.gauge(s), s))
            g += 1
        before = limiter.at(state, t)
        after, ok = limiter.admit(before)
        steps.append(Step(i, t, ok, before, after))
        samples.append(Sample(t, limiter.gauge(before), before))
        samples.append(Sample(t, limiter.gauge(after), after))
        state = after
    for t in grid[g:]:
        s = limiter.at(state, t)
        samples.append(Sample(t, limiter.gauge(s), s))
    return Run(limiter.kind, times, tuple(steps), tuple(samples))


# --- how wrong is the sliding counter? ------------------------------------------------------


@dataclass(frozen=True)
class CounterCheck:
    """One request judged by the counter's estimate and by the exact trailing count."""

    t: float
    estimate: float
    exact: int  # the counter's own accepted requests s with t - s < W, before this request
    error: float  # estimate - exact
    low: float  # documented bound: -prev * f
    high: float  # documented bound: prev * (1 - f)
    accepted: bool
    exact_accepts: bool


@dataclass(frozen=True)
class CounterError:
    """Summary of the counter's approximation on one trace."""

    requests: int
    max_abs_error: float
    mean_abs_error: float
    false_accepts: int  # counter said yes, exact count said no
    false_rejects: int
    wrong_fraction: float
    checks: tuple[CounterCheck, ...]


def counter_error(counter: SlidingCounter, trace: Sequence[float]) -> CounterError:
    """Judge every decision of the counter against the exact count of its own accepted history."""
    run = simulate(counter, trace, dt=counter.window, t_end=0.0)
    checks: list[CounterCheck] = []
    accepted: list[float] = []
    lo = 0
    for step in run.steps:
        while lo < len(accepted) and step.t - accepted[lo] >= counter.window:
            lo += 1
        exact = len(accepted) - lo
        b = step.before
        checks.append(
            CounterCheck(
                step.t,
                b.estimate,
                exact,
                b.estimate - exact,
                -b.prev_count * b.fraction,
                b.prev_count * (1.0 - b.fraction),
                step.accepted,
                exact < counter.limit,
            )
        )
        if step.accepted:
            accepted.append(step.t)
    n = len(checks)
    abs_errs = [abs(c.error) for c in checks]
    fa = sum(c.accepted and not c.exact_accepts for c in checks)
    fr = sum(c.exact_accepts and not c.accepted for c in checks)
    return CounterError(
        n,
        max(abs_errs, default=0.0),
        sum(abs_errs) / n if n else 0.0,
        fa,
        fr,
        (fa + fr) / n if n else 0.0,
        tuple(checks),
    )
