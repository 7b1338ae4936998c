"""Interruptions: a render killed at any moment leaves no truncated file at a final path, and the
next run reuses the finished beats and completes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import DEMO, cli_env, run_cli
from explainers.media import clip_ok
from explainers.project import Project

QUALITY = "preview"  # slow enough (a few seconds) to be caught mid-way


def final_files_are_whole(project: Project) -> None:
    """Every file at a final path is complete: clips play their full length, text parses."""
    out = project.out_dir("demo", QUALITY)
    board = {b.id: b.seconds for b in project.load_storyboard("demo").beats}
    for clip in (out / "beats").glob("[0-9]*.mp4"):  # final names; .NN-beat.PID.part.mp4 are not
        beat = clip.stem.split("-", 1)[1]
        assert clip_ok(clip, board[beat], 15, 854, 480), f"truncated clip at a final path: {clip}"
    if (out / "manifest.json").exists():
        json.loads((out / "manifest.json").read_text())
        assert clip_ok(out / "demo.mp4", sum(board.values()), 15, 854, 480)


@pytest.mark.parametrize(
    ("sig", "after"),
    [(signal.SIGINT, 1.5), (signal.SIGTERM, 3.0), (signal.SIGKILL, 2.5), (signal.SIGKILL, 5.0)],
)
def test_killed_render_leaves_whole_files_and_resumes(
    tmp_path: Path, sig: int, after: float
) -> None:
    shutil.copytree(DEMO, tmp_path / "demo")
    project = Project(
        tmp_path / "demo/storyboards", tmp_path / "demo/scenes", tmp_path / "media", False
    )
    exe = Path(sys.executable).with_name("render")
    proc = subprocess.Popen(
        [str(exe), "--topic", "demo", "--quality", QUALITY, "--jobs", "1"],
        env=cli_env(project),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(after)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert "Traceback" not in err
    if sig != signal.SIGKILL and proc.returncode != 0:
        assert "interrupted; finished beats are kept" in err
    time.sleep(0.5)  # orphaned workers get SIGKILL from the kernel when their parent dies
    final_files_are_whole(project)
    # Finished = renamed into place and recorded (a clip killed between the two is rendered again).
    cache = project.out_dir("demo", QUALITY) / "beats" / ".cache.json"
    finished_before = set(json.loads(cache.read_text())) if cache.exists() else set()

    again = run_cli(project, "--topic", "demo", "--quality", QUALITY, script="render")
    assert again.returncode == 0, again.stderr
    assert again.stderr.count(": cached") == len(finished_before)
    final_files_are_whole(project)
    out = project.out_dir("demo", QUALITY)
    assert not [p for p in out.rglob("*") if ".part" in p.name or p.name.startswith(".work-")]


def test_second_render_of_the_same_output_waits(tmp_path: Path) -> None:
    shutil.copytree(DEMO, tmp_path / "demo")
    project = Project(
        tmp_path / "demo/storyboards", tmp_path / "demo/scenes", tmp_path / "media", False
    )
    exe = Path(sys.executable).with_name("render")
    args = [str(exe), "--topic", "demo", "--quality", "tiny", "--jobs", "1"]
    first = subprocess.Popen(args, env=cli_env(project), stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    second = subprocess.run(args, env=cli_env(project), capture_output=True, text=True, timeout=120)
    first_err = first.communicate(timeout=120)[1]
    assert first.returncode == 0 and second.returncode == 0, first_err + second.stderr
    assert "waiting: " in second.stderr and "is being rendered by pid" in second.stderr
    assert second.stderr.count(": cached") == 3  # it found the first one's finished work
