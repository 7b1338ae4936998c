"""What each render worker draws: the beats cut into runs of equal cost, a run starting or ending
inside a beat where two runs meet (a part: a range of 1/24 cells of the beat's frames)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from explainers.cache import read_cache
from explainers.storyboard import Beat

# A worker is told what to draw as `id` (a whole beat) or `id@lo-hi`: cells lo..hi-1 of the
# beat's CELLS equal shares of frames (scene.part_window turns cells into frames).
CELLS = 24  # a beat can be cut into halves, thirds, quarters, sixths, eighths...
WHOLE = (0, CELLS)


def parse_piece(item: str) -> tuple[str, tuple[int, int]]:
    """`id` or `id@lo-hi` -> (id, (lo, hi)), cells of the beat."""
    beat_id, _, part = item.partition("@")
    if not part:
        return beat_id, WHOLE
    lo, hi = (int(x) for x in part.split("-"))
    if not 0 <= lo < hi <= CELLS:
        raise ValueError(f"bad part {item!r}: cells run from 0 to {CELLS}")
    return beat_id, (lo, hi)


def piece_clip_name(beat_id: str, part: tuple[int, int]) -> str:
    """File name of a worker's clip for a whole beat or for the part from cell lo of it."""
    return f"{beat_id}.mp4" if part == WHOLE else f"{beat_id}.part{part[0]:02d}.mp4"


@dataclass(frozen=True)
class BeatJob:
    """One beat to produce: where its clip goes and the key that says if a cached clip is current."""

    index: int
    beat: Beat
    start: float
    clip: Path
    key: str


@dataclass(frozen=True)
class Piece:
    """What one worker draws of a beat: cells lo..hi-1 of its CELLS equal shares (all: 0..24)."""

    job: BeatJob
    lo: int = 0
    hi: int = CELLS

    @property
    def whole(self) -> bool:
        return (self.lo, self.hi) == WHOLE

    @property
    def spec(self) -> str:
        beat_id = self.job.beat.id
        return beat_id if self.whole else f"{beat_id}@{self.lo}-{self.hi}"

    @property
    def clip_name(self) -> str:
        return piece_clip_name(self.job.beat.id, (self.lo, self.hi))


def plan_work(
    todo: list[BeatJob], workers: int, costs: dict[int, float] | None = None
) -> list[list[Piece]]:
    """What each worker draws: the beats in storyboard order cut into `workers` runs of equal
    cost (`costs` per beat index, by default its seconds). A run may start or end inside a beat
    (a part of it, to the nearest 1/24), so the workers finish together, and a single edited
    beat is drawn by every core.
    """
    ordered = sorted(todo, key=lambda j: j.index)
    if not ordered:
        return []
    weight = {j.index: (costs or {}).get(j.index) or j.beat.seconds for j in ordered}
    total = sum(weight.values())
    workers = max(1, min(workers, CELLS * len(ordered)))

    def cell(job: BeatJob, start: float, at: float) -> int:
        """The cell boundary of `job` nearest to `at` (in cost) into the runs."""
        return min(CELLS, max(0, round((at - start) / weight[job.index] * CELLS)))

    runs: list[list[Piece]] = [[] for _ in range(workers)]
    start = 0.0
    for job in ordered:
        for w, run in enumerate(runs):
            lo = cell(job, start, total * w / workers)
            hi = cell(job, start, total * (w + 1) / workers) if w + 1 < workers else CELLS
            if hi > lo:
                run.append(Piece(job, lo, hi))
        start += weight[job.index]
    return [run for run in runs if run]


def past_costs(todo: list[BeatJob], cache: dict[str, dict]) -> dict[int, float]:
    """What each beat cost to draw last time (recorded per clip, kept even when the clip went
    stale); beats never drawn are estimated at the mean cost per second of the others. Beats
    differ (a crowded beat costs twice a sparse one), so equal seconds are not equal work."""
    known = {
        j.index: float(cost)
        for j in todo
        for cost in [cache.get(j.clip.name, {}).get("cost")]
        if isinstance(cost, int | float) and cost > 0
    }
    if not known:
        return {}
    rate = sum(known.values()) / sum(j.beat.seconds for j in todo if j.index in known)
    return {j.index: known.get(j.index, rate * j.beat.seconds) for j in todo}


def other_quality_costs(todo: list[BeatJob], out: Path) -> dict[int, float]:
    """Costs recorded at another quality of the topic (a preview before the 1080p render): the
    sizes differ, the proportions between beats carry over."""
    if not out.parent.is_dir():
        return {}
    for other in sorted(out.parent.iterdir()):
        if other != out and (other / "beats" / ".cache.json").is_file():
            costs = past_costs(todo, read_cache(other))
            if costs:
                return costs
    return {}
