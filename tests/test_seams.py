"""Seams: beats rendered in parallel (each worker fast-forwards the earlier beats) must look exactly
like a sequential render of the whole scene, and so must a beat cut into parts (a one-beat edit:
each worker fast-forwards into the middle of the beat). A scene that is not deterministic under
fast-forward (updaters integrating dt, unseeded randomness) fails here, with the beat named.
"""

from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np
import pytest

from conftest import run_cli
from explainers.project import QUALITIES, Project
from explainers.render import encoder_settings, run_worker
from test_golden import CHANNEL_TOLERANCE, MAX_DIFFERENT, _projects

QUALITY = "tiny"


def frames(video: Path) -> list[np.ndarray]:
    """Every frame of a (tiny) video as RGB arrays."""
    with av.open(str(video)) as container:
        return [f.to_ndarray(format="rgb24").astype(np.int16) for f in container.decode(video=0)]


def differs(a: np.ndarray, b: np.ndarray) -> float:
    """Share of pixels that differ beyond the golden tolerance."""
    return float((np.abs(a - b) > CHANNEL_TOLERANCE).any(axis=2).mean())


@pytest.mark.parametrize(("topic", "project"), _projects(), ids=[t for t, _ in _projects()])
def test_parallel_beats_match_a_sequential_render(
    topic: str, project: Project, tmp_path: Path
) -> None:
    media = tmp_path / "media"
    project = Project(project.storyboards, project.scenes, media, project.length_rules)
    proc = run_cli(project, "--topic", topic, "--quality", QUALITY, "--jobs", "2", script="render")
    assert proc.returncode == 0, proc.stderr
    out = media / topic / QUALITY
    manifest = json.loads((out / "manifest.json").read_text())
    sequential = tmp_path / "sequential.mp4"
    # Same encoder as the beat clips, so that only drawing can differ.
    run_worker(
        project, [topic, QUALITY, "*", str(sequential)], encoder_settings(QUALITIES[QUALITY])
    )

    whole, joined = frames(sequential), frames(out / manifest["video"])
    assert len(whole) == len(joined) == round(manifest["duration"] * manifest["fps"])
    fps = manifest["fps"]
    for beat in manifest["beats"]:
        first = round(beat["start"] * fps)
        last = round((beat["start"] + beat["duration"]) * fps) - 1
        for index, where in ((first, "first"), (last, "last")):
            bad = differs(whole[index], joined[index])
            assert bad <= MAX_DIFFERENT, (
                f"beat '{beat['id']}': its {where} frame differs from a sequential render "
                f"({bad:.2%} of pixels): the scene is not deterministic under fast-forward"
            )

    longest = max(manifest["beats"], key=lambda b: b["duration"])
    proc = run_cli(project, "--topic", topic, "--quality", QUALITY, "--beats", longest["id"],
                   "--force", "--jobs", "2", script="render")
    assert proc.returncode == 0, proc.stderr
    assert f"beat '{longest['id']}' in 2 parts" in proc.stderr + proc.stdout
    cut = frames(out / manifest["video"])
    assert len(cut) == len(whole)
    first = round(longest["start"] * fps)
    for index in range(first, round((longest["start"] + longest["duration"]) * fps)):
        bad = differs(whole[index], cut[index])
        assert bad <= MAX_DIFFERENT, (
            f"beat '{longest['id']}' cut into 2 parts: its frame {index - first} differs from a "
            f"sequential render ({bad:.2%} of pixels)"
        )


def test_a_nondeterministic_scene_is_caught(tmp_path: Path) -> None:
    """The check can fail: unseeded randomness in the demo's second beat is reported by beat."""
    import shutil

    from conftest import DEMO

    shutil.copytree(DEMO, tmp_path / "demo")
    scene = tmp_path / "demo/scenes/demo.py"
    scene.write_text(
        scene.read_text().replace(
            "self.square.animate.shift(3 * RIGHT)",
            "self.square.animate.shift(__import__('random').Random().uniform(1, 4) * RIGHT)",
        )
    )
    project = Project(
        tmp_path / "demo/storyboards", tmp_path / "demo/scenes", tmp_path / "media", False
    )
    with pytest.raises(AssertionError, match="beat '(move|outro)'.*not deterministic"):
        test_parallel_beats_match_a_sequential_render("demo", project, tmp_path)
