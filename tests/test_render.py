"""The demo topic rendered by the real pipeline: every output of the contract, with exact durations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_cli
from explainers import captions
from explainers.media import probe
from explainers.project import Project

FPS = 10  # the `tiny` quality


@pytest.fixture(scope="module")
def out(demo_media: Path) -> Path:
    return demo_media / "demo" / "tiny"


@pytest.fixture(scope="module")
def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text())


def test_every_output_of_the_contract(out: Path) -> None:
    for name in ("demo.mp4", "demo.srt", "demo.vtt", "chapters.txt", "manifest.json"):
        assert (out / name).is_file(), name
    assert sorted(p.name for p in (out / "beats").glob("*.mp4")) == [
        "01-intro.mp4",
        "02-move.mp4",
        "03-outro.mp4",
    ]
    leftovers = [p for p in out.rglob("*") if ".part" in p.name or p.name.startswith(".intro-")]
    assert not leftovers


def test_each_clip_lasts_its_storyboard_seconds(out: Path, manifest: dict) -> None:
    for beat in manifest["beats"]:
        info = probe(out / beat["file"])
        assert abs(info.duration - beat["duration"]) <= 1 / FPS + 1e-6, beat["id"]
        assert (info.width, info.height, round(info.fps)) == (256, 144, FPS)


def test_joined_video_is_the_sum(out: Path, manifest: dict) -> None:
    info = probe(out / "demo.mp4")
    assert abs(info.duration - 6.5) <= 1 / FPS
    assert manifest["duration"] == 6.5
    assert info.frames == 65


def test_manifest_matches_the_files(out: Path, manifest: dict) -> None:
    assert manifest["topic"] == "demo" and manifest["quality"] == "tiny"
    assert (manifest["width"], manifest["height"], manifest["fps"]) == (256, 144, FPS)
    assert (out / manifest["video"]).is_file()
    assert all((out / f).is_file() for f in manifest["captions"].values())
    starts = [b["start"] for b in manifest["beats"]]
    assert starts == [0.0, 2.0, 4.5]
    assert [b["id"] for b in manifest["beats"]] == ["intro", "move", "outro"]
    assert manifest["beats"][1]["narration"] == "It slides to the right and turns green."


def _parse_srt(text: str) -> list[tuple[float, float, str]]:
    cues = []
    for block in text.strip().split("\n\n"):
        lines = block.splitlines()
        start, end = (_seconds(s) for s in lines[1].split(" --> "))
        cues.append((start, end, "\n".join(lines[2:])))
    return cues


def _seconds(stamp: str) -> float:
    h, m, s = stamp.replace(",", ".").split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def test_captions_parse_and_stay_inside_their_beats(out: Path, manifest: dict) -> None:
    cues = _parse_srt((out / "demo.srt").read_text())
    assert len(cues) == 3
    for beat, (start, end, text) in zip(manifest["beats"], cues):
        assert beat["start"] <= start < end <= beat["start"] + beat["duration"]
        assert text == beat["narration"]
    vtt = (out / "demo.vtt").read_text()
    assert vtt.startswith("WEBVTT\n") and vtt.count(" --> ") == 3


def test_chapters(out: Path) -> None:
    assert (out / "chapters.txt").read_text() == (
        "0:00 A square appears\n0:02 It moves\n0:04 Counting to three\n"
    )


def test_second_run_reuses_every_beat(demo_project: Project, demo_media: Path) -> None:
    before = {p.name: p.stat().st_mtime_ns for p in (demo_media / "demo/tiny/beats").glob("*.mp4")}
    proc = run_cli(demo_project, "--topic", "demo", "--quality", "tiny", script="render")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count(": cached") == 3
    after = {p.name: p.stat().st_mtime_ns for p in (demo_media / "demo/tiny/beats").glob("*.mp4")}
    assert before == after
    assert "outputs in" in proc.stdout


def test_caption_cues_fit_two_lines_of_42() -> None:
    long = (
        "Every server starts as a follower and waits for a heartbeat from a leader. "
        "If none arrives before its randomized timeout, it becomes a candidate."
    )
    for cue in captions.chunk(long):
        assert 1 <= len(cue) <= 2 and all(len(line) <= 42 for line in cue)
    assert " ".join(" ".join(c) for c in captions.chunk(long)) == long


def test_overrun_fails_naming_the_beat(tmp_path: Path) -> None:
    import shutil

    from conftest import DEMO

    shutil.copytree(DEMO, tmp_path / "demo")
    project = Project(
        tmp_path / "demo/storyboards",
        tmp_path / "demo/scenes",
        tmp_path / "media",
        length_rules=False,
    )
    board = project.storyboard_path("demo")
    board.write_text(
        board.read_text().replace(
            'seconds = 2\nnarration = "A blue square appears."',
            'seconds = 0.5\nnarration = "A square."',
        )
    )
    proc = run_cli(
        project, "--topic", "demo", "--quality", "tiny", "--beats", "intro", script="render"
    )
    assert proc.returncode == 1
    assert (
        proc.stderr.strip()
        .splitlines()[-1]
        .startswith("error: beat 'intro' runs 0.20 s over its 0.5 s (log: ")
    )
    assert "Traceback" not in proc.stderr
    assert not list((project.out_dir("demo", "tiny") / "beats").glob("*.mp4"))
