"""Beats cut into parts: with fewer beats to render than workers (the usual one-beat edit), each
worker draws a part of a beat, and the parts join into exactly the frames of the whole beat."""

from __future__ import annotations

import shutil
from pathlib import Path

import av
import numpy as np
import pytest

from conftest import DEMO, run_cli
from explainers.project import Project
from explainers.render import BeatJob, plan_work
from explainers.scene import WHOLE, parse_piece, part_window
from explainers.storyboard import load

QUALITY = "tiny"


def jobs(seconds: list[float]) -> list[BeatJob]:
    beat = load(DEMO / "storyboards" / "demo.toml", length_rules=False).beats[0]
    return [
        BeatJob(i, beat.__class__(**{**beat.__dict__, "id": f"b{i}", "seconds": s}), 0.0,
                Path(f"{i}.mp4"), "k")
        for i, s in enumerate(seconds)
    ]


def test_enough_beats_go_whole_in_runs_one_per_worker() -> None:
    plan = plan_work(jobs([12, 12, 13, 14, 14, 14, 14, 15]), 2)
    assert len(plan) == 2
    assert all(piece.part == WHOLE for run in plan for piece in run)
    assert [p.job.index for run in plan for p in run] == list(range(8))


def test_one_beat_is_cut_into_one_part_per_worker() -> None:
    plan = plan_work(jobs([14]), 2)
    assert [[p.spec for p in run] for run in plan] == [["b0@1/2"], ["b0@2/2"]]
    assert [run[0].clip_name for run in plan] == ["b0.part1.mp4", "b0.part2.mp4"]


def test_the_longest_beats_get_the_extra_workers() -> None:
    plan = plan_work(jobs([4, 12]), 4)
    assert sorted(p.spec for run in plan for p in run) == ["b0", "b1@1/3", "b1@2/3", "b1@3/3"]


@pytest.mark.parametrize("target", [1, 2, 25, 840, 901])
@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_part_windows_tile_the_beat(target: int, n: int) -> None:
    windows = [part_window(target, (k, n)) for k in range(1, n + 1)]
    if n == 1:
        assert windows == [None]
        return
    assert windows[0][0] == 0 and windows[-1][1] > target  # the last part takes the hold
    assert all(a[1] == b[0] for a, b in zip(windows, windows[1:]))


def test_piece_specs_parse() -> None:
    assert parse_piece("votes") == ("votes", WHOLE)
    assert parse_piece("votes@2/3") == ("votes", (2, 3))


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
