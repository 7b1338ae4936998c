"""Beats cut into parts: with fewer beats to render than workers (the usual one-beat edit), each
worker draws a part of a beat, and the parts join into exactly the frames of the whole beat."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import av
import numpy as np
import pytest

from conftest import DEMO, run_cli
from explainers.project import Project
from explainers.plan import (
    CELLS,
    WHOLE,
    BeatJob,
    other_quality_costs,
    parse_piece,
    past_costs,
    plan_work,
)
from explainers.scene import part_window
from explainers.storyboard import load

QUALITY = "tiny"


def jobs(seconds: list[float]) -> list[BeatJob]:
    beat = load(DEMO / "storyboards" / "demo.toml", length_rules=False).beats[0]
    return [
        BeatJob(i, beat.__class__(**{**beat.__dict__, "id": f"b{i}", "seconds": s}), 0.0,
                Path(f"{i}.mp4"), "k")
        for i, s in enumerate(seconds)
    ]


def cells(plan: list[list]) -> list[list[tuple[str, int, int]]]:  # type: ignore[type-arg]
    return [[(p.job.beat.id, p.lo, p.hi) for p in run] for run in plan]


def seconds(run: list) -> float:  # type: ignore[type-arg]
    return sum(p.job.beat.seconds * (p.hi - p.lo) / CELLS for p in run)


def test_runs_have_equal_seconds_and_cut_a_beat_where_they_meet() -> None:
    plan = plan_work(jobs([12, 12, 13, 14, 14, 14, 14, 15]), 2)  # Raft: 108 s, 54 s each
    assert [p.spec for p in plan[0]][-1] == "b4@0-5" and plan[1][0].spec == "b4@5-24"
    assert [p.whole for p in plan[0]] == [True] * 4 + [False]
    assert abs(seconds(plan[0]) - seconds(plan[1])) <= 14 / CELLS
    assert [run[0].clip_name for run in plan] == ["b0.mp4", "b4.part05.mp4"]


def test_runs_are_balanced_by_what_beats_cost_last_time() -> None:
    todo = jobs([10, 10])
    cache = {"0.mp4": {"cost": 1.0}, "1.mp4": {"cost": 3.0}}
    costs = past_costs(todo, cache)
    assert costs == {0: 1.0, 1: 3.0}
    # 4 units of work, 2 each: all of b0 and a third of b1, then the rest of b1
    assert cells(plan_work(todo, 2, costs)) == [[("b0", 0, 24), ("b1", 0, 8)], [("b1", 8, 24)]]
    # a beat never drawn is estimated at the others' cost per second
    assert past_costs(jobs([10, 20]), {"0.mp4": {"cost": 2.0}}) == {0: 2.0, 1: 4.0}
    assert past_costs(todo, {}) == {}


def test_a_first_render_borrows_the_proportions_of_another_quality(tmp_path: Path) -> None:
    todo = jobs([10, 10])
    out = tmp_path / "demo" / "1080p"
    assert other_quality_costs(todo, out) == {}
    (tmp_path / "demo" / "preview" / "beats").mkdir(parents=True)
    (tmp_path / "demo" / "preview" / "beats" / ".cache.json").write_text(
        json.dumps({"0.mp4": {"cost": 1.0}, "1.mp4": {"cost": 3.0}})
    )
    assert other_quality_costs(todo, out) == {0: 1.0, 1: 3.0}


def test_one_beat_is_cut_into_one_part_per_worker() -> None:
    assert cells(plan_work(jobs([14]), 2)) == [[("b0", 0, 12)], [("b0", 12, 24)]]
    assert cells(plan_work(jobs([14]), 3)) == [[("b0", 0, 8)], [("b0", 8, 16)], [("b0", 16, 24)]]


@pytest.mark.parametrize("workers", [1, 2, 3, 5, 8])
@pytest.mark.parametrize("lengths", [[14], [4, 12], [2, 2.5, 2], [12, 12, 13, 14, 14, 14, 14, 15]])
def test_every_cell_of_every_beat_is_drawn_once_in_order(workers: int, lengths: list) -> None:
    plan = plan_work(jobs(lengths), workers)
    assert 1 <= len(plan) <= workers
    flat = [p for run in plan for p in run]
    for i in range(len(lengths)):
        mine = [(p.lo, p.hi) for p in flat if p.job.index == i]
        assert mine[0][0] == 0 and mine[-1][1] == CELLS
        assert all(a[1] == b[0] for a, b in zip(mine, mine[1:]))
    share = sum(lengths) / len(plan)
    assert all(abs(seconds(run) - share) <= max(lengths) / CELLS for run in plan)


@pytest.mark.parametrize("target", [1, 2, 25, 840, 901])
@pytest.mark.parametrize("bounds", [[0, 24], [0, 12, 24], [0, 5, 24], [0, 8, 16, 24], [0, 1, 2, 24]])
def test_part_windows_tile_the_beat(target: int, bounds: list[int]) -> None:
    windows = [part_window(target, (lo, hi)) for lo, hi in zip(bounds, bounds[1:])]
    if len(windows) == 1:
        assert windows == [None]
        return
    assert windows[0][0] == 0 and windows[-1][1] > target  # the last part takes the hold
    assert all(a[1] == b[0] for a, b in zip(windows, windows[1:]))


def test_piece_specs_parse() -> None:
    assert parse_piece("votes") == ("votes", WHOLE)
    assert parse_piece("votes@8-16") == ("votes", (8, 16))
    with pytest.raises(ValueError):
        parse_piece("votes@16-8")


def frames(video: Path) -> list[np.ndarray]:
    with av.open(str(video)) as container:
        return [f.to_ndarray(format="rgb24").astype(np.int16) for f in container.decode(video=0)]


def test_a_beat_in_three_parts_equals_the_whole_beat_even_with_an_empty_part(
    tmp_path: Path,
) -> None:
    """Demo 'move' (25 frames at tiny): part 1 draws the move, part 2 the label and the hold,
    and no animation starts in part 3, which therefore has no clip of its own."""
    project = Project(DEMO / "storyboards", DEMO / "scenes", tmp_path / "media", False)
    whole = run_cli(project, "--topic", "demo", "--quality", QUALITY, script="render")
    assert whole.returncode == 0, whole.stderr
    clip = tmp_path / "media" / "demo" / QUALITY / "beats" / "02-move.mp4"
    reference = tmp_path / "whole-move.mp4"
    shutil.copy(clip, reference)

    parts = run_cli(project, "--topic", "demo", "--quality", QUALITY, "--beats", "move",
                    "--force", "--jobs", "3", script="render")
    assert parts.returncode == 0, parts.stderr
    assert "beat 'move' in 3 parts" in parts.stderr + parts.stdout
    assert "move: rendered" in parts.stderr + parts.stdout

    got, want = frames(clip), frames(reference)
    assert len(got) == len(want) == 25
    for i, (a, b) in enumerate(zip(got, want)):
        assert np.abs(a - b).max() <= 8, f"frame {i} of the joined parts differs"
    assert not list(clip.parent.glob(".work-*")), "part files left behind"
