"""Rate limiting: one request trace against a token bucket, a fixed window, a sliding log and counter.

Every number on screen is read from `explainers.sim.rate_limit_story.story()`: decisions, token
levels, window counts, the counter's estimate and its error report.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Arrow, Create, FadeIn, GrowArrow, Mobject, VGroup

from explainers.kit.charts import (
    ACCEPTED,
    PENDING,
    REJECTED,
    LevelGauge,
    RequestTicks,
    TimeAxis,
    WindowBracket,
    chip,
    level_curve,
    playhead,
    replay,
    request_legend,
)
from explainers.kit.matrix import VectorCells
from explainers.kit.text import text
from explainers.kit.theme import AMBER, BLUE, GREEN, INK, LAYOUT, MUTED, RED, TIMING, TYPE, VIOLET
from explainers.scene import ExplainerScene
from explainers.sim.rate_limit import Run
from explainers.sim.rate_limit_story import story

STORY = story()
RUNS = STORY.comparison
LIMITS = RUNS.limits
TRACE = RUNS.trace


def statuses(run: Run) -> list[str]:
    """Each request's look: accepted or rejected, as the limiter decided."""
    return [ACCEPTED if ok else REJECTED for ok in run.decisions]


def level_at(run: Run, t: float) -> float:
    """The model's gauge at time t: its samples, joined linearly between neighbours."""
    samples = run.samples
    times = [s.t for s in samples]
    k = int(np.searchsorted(times, t, side="right")) - 1
    if k < 0:
        return samples[0].value
    a = samples[k]
    if k + 1 >= len(samples) or samples[k + 1].t == a.t:
        return a.value
    b = samples[k + 1]
    return a.value + (b.value - a.value) * (t - a.t) / (b.t - a.t)


def state_at(run: Run, t: float):
    """The model's state at the last sample not after t (for windows, logs and counters)."""
    times = [s.t for s in run.samples]
    return run.samples[max(int(np.searchsorted(times, t, side="right")) - 1, 0)].state


def accepted_in(run: Run, start: float, end: float) -> int:
    """Accepted requests with start < t <= end (a trailing window ending at `end`)."""
    return sum(1 for t in run.accepted_times if start < t <= end)


def segment(name: str):
    """One act of the story trace, by name."""
    return next(s for s in STORY.segments if s.name == name)


class RateLimiting(ExplainerScene):
    """Seven beats: the question, the bucket, bursts, the fixed-window flaw, log, counter, choice."""

    topic = "rate-limiting"

    # -- helpers ------------------------------------------------------------------------

    def heading(self, words: str) -> Mobject:
        """The beat's claim, top-left where beat 1 shows the topic title (the style still)."""
        h = text(words, TYPE.heading * 0.8, INK, bold=True)
        h.move_to([LAYOUT.left + h.width / 2, LAYOUT.top - h.height / 2, 0])
        self.play(FadeIn(h), run_time=TIMING.fast)
        return h

    def lane(self, t0: float, t1: float, width: float, y: float, every: float = 1.0,
             x: float = 0.0) -> TimeAxis:
        """A time axis placed on the stage."""
        axis = TimeAxis(t0, t1, width, every=every)
        axis.move_to([x, y, 0], aligned_edge=UP).shift(UP * 0.0)
        axis.shift(UP * (y - axis.line.get_center()[1]))
        return axis

    def marks(self, axis: TimeAxis, run: Run | None, t: float, size: float = 0.2,
              only: Sequence[int] | None = None) -> RequestTicks:
        """The requests seen by time t, coloured by `run`'s decisions (pending if no run)."""
        idx = list(only) if only is not None else list(range(len(TRACE)))
        looks = statuses(run) if run is not None else [PENDING] * len(TRACE)
        return RequestTicks.until(axis, [TRACE[i] for i in idx], [looks[i] for i in idx], t, size)

    def show(self, *animations, run_time: float = TIMING.normal) -> None:
        """Play one step, then hold it ~1 s so the eye catches up before the next change."""
        self.play(*animations, run_time=run_time)
        self.wait(TIMING.hold, frozen_frame=True)

    # -- beats --------------------------------------------------------------------------

    def beat_question(self) -> None:
        axis = self.lane(0, 18, 12.4, -1.4, every=2)
        self.show(Create(axis), run_time=TIMING.normal)
        replay(self, lambda t: self.marks(axis, None, t), 0, 18, 5.0)
        steady = [TRACE[i] for i in segment("steady").indices]
        per_second = (len(steady) - 1) / (steady[-1] - steady[0])
        names = {"burst": "burst", "steady": f"steady, {per_second:g} per second",
                 "boundary burst": "burst at a window edge"}
        tags = VGroup()
        for seg in STORY.segments:
            if not seg.indices:
                continue
            ts = [TRACE[i] for i in seg.indices]
            tag = text(f"{names[seg.name]} · {len(ts)}", TYPE.small, VIOLET)
            tag.move_to(axis.point((ts[0] + ts[-1]) / 2, 1.45))
            tags.add(tag)
        tags[-1].align_to(axis.line, RIGHT)
        tags[0].align_to(axis.line, LEFT)
        self.show(FadeIn(tags), run_time=TIMING.normal)
        ask = text(f"{len(TRACE)} requests. Limit: {LIMITS.limit} per {LIMITS.window:g} s.",
                   TYPE.body, INK)
        sub = text("Which pass, and which get 429 Too Many Requests?", TYPE.label, MUTED)
        words = VGroup(ask, sub).arrange(DOWN, buff=0.3, aligned_edge=LEFT)
        words.move_to([LAYOUT.left + words.width / 2, 1.55, 0])
        self.show(FadeIn(words, shift=UP * 0.2), run_time=TIMING.normal)

    def sweep(self, axis: TimeAxis, run: Run, t0: float, t1: float, seconds: float,
              size: float = 0.22, extra=None) -> VGroup:
        """Play the trace from t0 to t1 under a playhead; leave the marks (and extra) at t1."""
        def draw(t: float, head: bool = True) -> VGroup:
            parts = [extra(t)] if extra else []
            parts.append(self.marks(axis, run, t, size))
            if head:
                parts.append(playhead(axis, t, 1.2))
            return VGroup(*parts)

        self.remove(replay(self, draw, t0, t1, seconds))
        final = draw(t1, head=False)
        self.add(final)
        return final

    def beat_bucket(self) -> None:
        self.clear_stage()
        run = RUNS.bucket
        self.heading("Each request spends a token")
        rule = text(f"b = {LIMITS.capacity:g} tokens, refill r = {LIMITS.rate:g} per second",
                    TYPE.label, BLUE)
        rule.move_to([LAYOUT.left + rule.width / 2, 2.05, 0])
        axis = self.lane(1, 2.5, 8.4, -1.75, every=0.5, x=2.1)
        legend = request_legend({ACCEPTED: "passed", REJECTED: "rejected · 429"}).move_to([0, 1.05, 0]).align_to(axis.line, RIGHT)

        def gauge(t: float) -> LevelGauge:
            return LevelGauge(level_at(run, t), LIMITS.capacity, "tokens", height=3.0,
                              width=1.6).move_to([-4.8, -0.35, 0])

        still = gauge(1.0)
        self.show(FadeIn(rule), FadeIn(still), Create(axis), FadeIn(legend), run_time=TIMING.normal)
        self.remove(still)
        t_end = TRACE[segment("burst").indices[-1]]
        self.sweep(axis, run, 1.0, t_end, 7.0, 0.26, extra=gauge)
        marks = self.marks(axis, run, t_end, 0.26)
        refused = VGroup(*[m for m, ok in zip(marks, run.decisions) if not ok])
        tags = VGroup(*[chip("429", RED, mono=True) for _ in refused]).arrange(RIGHT, buff=0.12)
        tags.next_to(refused, UP, buff=0.3)
        empty = text("under 1 token → 429", TYPE.label, RED).next_to(tags, UP, buff=0.25)
        self.show(FadeIn(tags), FadeIn(empty), run_time=TIMING.normal)

    def beat_bursts(self) -> None:
        self.clear_stage()
        run = RUNS.bucket
        self.heading("Bursts pass, then r per second")
        axis = self.lane(0, 18, 11.6, -1.95, every=2, x=0.45)
        base, top = -0.5, 1.0  # where the token curve draws 0 and b
        lift = base - axis.line.get_center()[1]
        ceiling = text(f"b = {LIMITS.capacity:g}", TYPE.small, BLUE)
        ceiling.next_to(axis.point(0, top - axis.line.get_center()[1]), LEFT, buff=0.15)
        zero = text("0", TYPE.small, BLUE, mono=True)
        zero.next_to(axis.point(0, lift), LEFT, buff=0.15)
        bound = text("accepted in any τ seconds ≤ b + r·τ", TYPE.label, INK)
        bound.move_to([LAYOUT.left + bound.width / 2, 2.05, 0])
        first = [t for t in run.accepted_times if t <= segment("burst").end]
        tau = first[-1] - first[0]
        example = text(f"first burst: {len(first)} in {tau:g} s ≤ {LIMITS.capacity:g} + "
                       f"{LIMITS.rate:g}·{tau:g} = {LIMITS.capacity + LIMITS.rate * tau:g}",
                       TYPE.small, MUTED)
        example.next_to(bound, DOWN, buff=0.15, aligned_edge=LEFT)
        name = text("tokens", TYPE.small, BLUE)
        name.next_to(axis.point(0.15, top - axis.line.get_center()[1]), UP, buff=0.12)
        name.align_to(axis.line, LEFT)
        self.show(Create(axis), FadeIn(ceiling), FadeIn(zero), FadeIn(bound), FadeIn(name),
                  run_time=TIMING.normal)

        def curve(t: float) -> Mobject:
            pts = [(s.t, s.value) for s in run.samples if s.t <= t]
            return level_curve(axis, pts, LIMITS.capacity, top - base, BLUE).shift(UP * lift)

        self.sweep(axis, run, 0.0, 18.0, 7.5, 0.2, extra=curve)
        marks = self.marks(axis, run, 18.0, 0.2)
        notes = VGroup()
        for name, side in (("burst", RIGHT), ("steady", UP), ("boundary burst", LEFT)):
            seg = segment(name)
            ok = sum(run.decisions[i] for i in seg.indices)
            group = VGroup(*[marks[i] for i in seg.indices])
            note = text(f"{ok} of {len(seg.indices)} pass", TYPE.small, GREEN)
            notes.add(note.next_to(group, side, buff=0.25))
        self.show(FadeIn(notes), FadeIn(example), run_time=TIMING.normal)

    def beat_fixed_window(self) -> None:
        self.clear_stage()
        run = RUNS.fixed
        W = LIMITS.window
        self.heading("Fixed windows reset at the edge")
        rule = text(f"count per {W:g} s slot, back to 0 at every edge", TYPE.label, BLUE)
        rule.move_to([LAYOUT.left + rule.width / 2, 2.05, 0])
        axis = self.lane(12, 18, 12.4, -1.75)
        self.show(Create(axis), FadeIn(rule), run_time=TIMING.normal)
        def windows(t: float) -> VGroup:
            now = state_at(run, t)
            bands = VGroup()
            for start in (12.0, 16.0):
                if start > t:
                    count = 0
                elif t < start + W:
                    count = now.count
                else:
                    count = [s for s in run.steps if start <= s.t < start + W][-1].after.count
                bands.add(WindowBracket(axis, start, start + W, f"{start:g}–{start + W:g} s: "
                                        f"{count} / {LIMITS.limit}", BLUE, height=1.1))
            return bands

        shown = windows(12.0)
        self.show(FadeIn(shown), run_time=TIMING.normal)
        self.remove(shown)
        self.sweep(axis, run, 12.0, TRACE[-1], 6.0, extra=windows)
        end = max(run.accepted_times)
        n = accepted_in(run, end - W, end)
        span = WindowBracket(axis, end - W, end, f"{n} passed within {W:g} s: "
                             f"{n / LIMITS.limit:g} × the limit", RED, height=2.3, opacity=0.08)
        self.show(FadeIn(span), run_time=TIMING.normal)

    def beat_sliding_log(self) -> None:
        self.clear_stage()
        run = RUNS.log
        W, L = LIMITS.window, LIMITS.limit
        self.heading("A log of timestamps is exact")
        axis = self.lane(12, 18, 12.4, -1.75)
        self.show(Create(axis), run_time=TIMING.normal)

        def window(t: float) -> VGroup:
            log = tuple(s for s in state_at(run, t).log if t - s < W)
            win = WindowBracket(axis, t - W, t, f"last {W:g} s: {len(log)} / {L}", AMBER,
                                height=1.3)
            return VGroup(win, self.log_strip(log, L))

        self.sweep(axis, run, 15.3, TRACE[-1] + 0.05, 7.0, extra=window)
        cost = text(f"memory: up to L = {L} timestamps per client", TYPE.label, MUTED)
        cost.move_to([0, 0.7, 0])
        self.show(FadeIn(cost), run_time=TIMING.normal)

    def log_strip(self, log: Sequence[float], slots: int) -> VGroup:
        """The stored timestamps as a row of cells; empty slots stay blank."""
        values = list(log) + [np.nan] * (slots - len(log))
        strip = VectorCells(values, "log", horizontal=True, cell=(1.3, 0.66),
                            fmt=lambda v: "" if np.isnan(v) else f"{v:.1f} s")
        return strip.move_to([0, 1.6, 0])

    def beat_sliding_counter(self) -> None:
        self.clear_stage()
        run = RUNS.counter
        self.heading("Two counters, one estimate")
        axis = self.lane(12, 18, 12.4, -1.75)
        self.show(Create(axis), run_time=TIMING.normal)
        check = next(c for c in STORY.counter_check.checks if c.accepted and not c.exact_accepts)
        b = next(s for s in run.steps if s.t == check.t).before
        W = LIMITS.window

        def windows(t: float) -> VGroup:
            now = state_at(run, t - 1e-6)  # before any decision at t, as the formula reads
            start = now.window_start
            bands = VGroup(WindowBracket(axis, start, start + W, f"current: {now.curr_count}",
                                         VIOLET, height=1.1))
            if start > axis.t0:
                bands.add(WindowBracket(axis, start - W, start,
                                        f"previous window: {now.prev_count}", BLUE, height=1.1))
            return bands

        shown = windows(15.3)
        self.show(FadeIn(shown), run_time=TIMING.normal)
        self.remove(shown)
        marks = self.sweep(axis, run, 15.3, check.t, 3.0, extra=windows)
        wrong = marks[-1][-1]
        tip = wrong.get_top() + UP * 0.08
        ring = Arrow(tip + UP * 0.45, tip, buff=0, color=AMBER, stroke_width=5,
                     max_tip_length_to_length_ratio=0.45)
        oops = text("wrongly passed", TYPE.small, AMBER).next_to(wrong, RIGHT, buff=0.2)
        lines = VGroup(
            text("estimate = prev × (1 − f) + curr", TYPE.label, INK),
            text(f"= {b.prev_count} × {1 - b.fraction:g} + {b.curr_count} = {b.estimate:.2f}"
                 f" < {LIMITS.limit}  → pass", TYPE.label, GREEN),
            text(f"exact count in the last {LIMITS.window:g} s: {check.exact}  → should be 429",
                 TYPE.label, RED),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.22)
        lines.move_to([LAYOUT.left + lines.width / 2, 1.35, 0])
        self.show(GrowArrow(ring), FadeIn(oops), FadeIn(lines[0]), run_time=TIMING.normal)
        self.show(FadeIn(lines[1]), run_time=TIMING.normal)
        self.show(FadeIn(lines[2]), run_time=TIMING.normal)
        report = STORY.counter_check
        tally = text(f"{report.false_accepts + report.false_rejects} of {report.requests} "
                     "decisions wrong on this trace · 2 integers per client", TYPE.small, MUTED)
        tally.next_to(lines, DOWN, buff=0.3, aligned_edge=LEFT)
        self.show(FadeIn(tally), run_time=TIMING.fast)

    def beat_which(self) -> None:
        self.clear_stage()
        self.heading("Pick by the promise you need")
        uses = {
            "token bucket": ("quotas that allow bursts", INK),
            "fixed window": ("simple, but 2L at edges", RED),
            "sliding log": ("exact, L timestamps", INK),
            "sliding counter": ("≈ exact, 2 integers", INK),
        }
        seg = segment("boundary burst")
        t0, t1 = 15.3, 16.5
        rows = VGroup()
        for k, run in enumerate(RUNS.runs):
            y = 1.35 - k * 1.0
            name = text(run.kind, TYPE.label, INK).move_to([LAYOUT.left, y, 0], aligned_edge=LEFT)
            axis = TimeAxis(t0, t1, 3.6, every=0.5)
            axis.shift([-0.55 - axis.line.get_center()[0], y - 0.32 - axis.line.get_center()[1], 0])
            marks = self.marks(axis, run, t1, 0.2, only=seg.indices)
            passed = text(f"{sum(run.decisions)} / {len(TRACE)}", TYPE.label, INK, mono=True)
            passed.move_to([2.05, y, 0])
            use, colour = uses[run.kind]
            why = text(use, TYPE.small, colour).move_to([LAYOUT.right, y, 0], aligned_edge=RIGHT)
            rows.add(VGroup(name, VGroup(axis.line, marks), passed, why))
        head = VGroup(
            text("burst at the edge", TYPE.small, MUTED).move_to([-0.55, 2.2, 0]),
            text("passed", TYPE.small, MUTED).move_to([2.05, 2.2, 0]),
            text("use for", TYPE.small, MUTED).move_to([LAYOUT.right, 2.2, 0], aligned_edge=RIGHT),
        )
        self.show(FadeIn(head), run_time=TIMING.fast)
        for row in rows:
            self.show(FadeIn(row, shift=RIGHT * 0.2), run_time=TIMING.normal)
