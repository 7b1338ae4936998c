"""Golden frames: the last frame of every beat of every topic, compared with stored references.

Regenerate after an intended visual change with `./dev test tests/test_golden.py --update-golden`,
look at the new PNGs, and commit them. Like Manim's frames_comparison: small size, a tolerance.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from conftest import DEMO, TESTS
from explainers.project import Project
from explainers.render import last_frames

GOLDEN = TESTS / "golden"
QUALITY = "tiny"  # 256x144
CHANNEL_TOLERANCE = 24  # per channel, 0-255: anti-aliasing and font hinting jitter
MAX_DIFFERENT = 0.002  # share of pixels allowed beyond the tolerance


def _projects() -> list[tuple[str, Project]]:
    catalog = Project()
    demo = Project(DEMO / "storyboards", DEMO / "scenes", catalog.media, length_rules=False)
    return [("demo", demo)] + [(t, catalog) for t in catalog.topics()]


def compare(actual: Path, expected: Path) -> str | None:
    """None when the images match within tolerance, else what differs."""
    a = np.asarray(Image.open(actual).convert("RGB"), dtype=np.int16)
    e = np.asarray(Image.open(expected).convert("RGB"), dtype=np.int16)
    if a.shape != e.shape:
        return f"size {a.shape[1]}x{a.shape[0]} != {e.shape[1]}x{e.shape[0]}"
    bad = (np.abs(a - e) > CHANNEL_TOLERANCE).any(axis=2).mean()
    return None if bad <= MAX_DIFFERENT else f"{bad:.2%} of pixels differ"


@pytest.mark.parametrize(("topic", "project"), _projects(), ids=[t for t, _ in _projects()])
def test_last_frame_of_every_beat(
    topic: str, project: Project, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    frames = last_frames(project, topic, QUALITY, tmp_path / topic)
    stored = GOLDEN / topic
    if request.config.getoption("--update-golden"):
        shutil.rmtree(stored, ignore_errors=True)
        stored.mkdir(parents=True)
        for frame in frames:
            shutil.copy(frame, stored / frame.name)
        return
    assert stored.is_dir(), (
        f"no golden frames for {topic}: run with --update-golden and commit them"
    )
    assert sorted(p.name for p in stored.glob("*.png")) == sorted(f.name for f in frames), (
        "beats changed: regenerate with --update-golden"
    )
    problems = {f.name: compare(f, stored / f.name) for f in frames}
    problems = {k: v for k, v in problems.items() if v}
    for name in problems:
        shutil.copy(tmp_path / topic / name, tmp_path / f"actual-{name}")
    assert not problems, f"{topic}: {problems} (actual frames in {tmp_path})"
