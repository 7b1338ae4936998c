"""Rate-limiting scene: what the narration claims holds in the model, and every beat's still is clean."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from manim import MarkupText, Text, tempconfig

from explainers.kit.stage import box, layout_problems
from explainers.project import Project, scene_class
from explainers.sim.rate_limit_story import story

TOPIC = "rate-limiting"


def _overlap(a: tuple, b: tuple, pad: float = 0.02) -> bool:
    la, ba, ra, ta = a
    lb, bb, rb, tb = b
    return la < rb - pad and lb < ra - pad and ba < tb - pad and bb < ta - pad


def beat_layout_problems(topic: str, tmp: Path) -> dict[str, list[str]]:
    """Fast-forward a topic's scene and check every beat's last state like a viewer would."""
    cls = scene_class(Project().scene_path(topic))
    found: dict[str, list[str]] = {}

    class Probe(cls):  # type: ignore[misc, valid-type]
        def save_frame(self, path: Path) -> None:
            problems = layout_problems(self.mobjects, chrome=[self.chrome])
            words = [s for m in self.mobjects for s in m.get_family()
                     if isinstance(s, Text | MarkupText) and s.get_fill_opacity() > 0.05]
            boxes = [box(w) for w in words]
            for i, a in enumerate(words):
                for j in range(i + 1, len(words)):
                    b = words[j]
                    rich = isinstance(a, MarkupText) or isinstance(b, MarkupText)
                    if rich and _overlap(boxes[i], boxes[j]):
                        problems.append(f"'{a.text}' overlaps '{b.text}'")
            found[path.stem] = problems

    env = {"EXPLAINERS_FRAMES_DIR": str(tmp), "EXPLAINERS_STORYBOARDS": str(Project().storyboards)}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        with tempconfig({"dry_run": True, "pixel_width": 256, "pixel_height": 144,
                         "frame_rate": 10, "media_dir": str(tmp)}):
            Probe().render()
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return found


@pytest.fixture(scope="module")
def board():
    return Project().load_storyboard(TOPIC)


def narration(board, beat_id: str) -> str:
    return " ".join(board.beat(beat_id).narration.split())


def test_storyboard_is_a_90_to_110_second_explainer_of_6_to_8_beats(board) -> None:
    assert 90 <= board.duration <= 110
    assert 6 <= len(board.beats) <= 8
    assert board.title == "Rate Limiting Algorithms"
    for beat in board.beats:
        assert len(" ".join(beat.narration.split())) <= 20 * beat.seconds, beat.id


def test_narrated_numbers_are_the_models(board) -> None:
    s = story()
    runs, limits = s.comparison, s.comparison.limits
    assert f"Here are {len(runs.trace)} requests" in narration(board, "question")
    burst = next(seg for seg in s.segments if seg.name == "burst")
    assert [runs.bucket.decisions[i] for i in burst.indices] == [True] * 4 + [False] * 2
    assert "four requests pass" in narration(board, "bucket")
    assert "next two" in narration(board, "bucket")
    assert f"{limits.window:g}-second slot" in narration(board, "fixed_window")
    edge = next(seg for seg in s.segments if seg.name == "boundary burst")
    times = [runs.trace[i] for i in edge.indices]
    assert all(runs.fixed.decisions[i] for i in edge.indices)
    assert sum(t < 16 for t in times) == 4 and sum(t >= 16 for t in times) == 4
    assert len(edge.indices) == 2 * limits.limit  # "twice the limit"
    assert f"last {limits.window:g} seconds" in narration(board, "sliding_log")
    assert (s.counter_check.false_accepts, s.counter_check.false_rejects) == (1, 0)
    assert "one request too many" in narration(board, "sliding_counter")


def test_sliding_log_never_passes_more_than_L_in_any_window() -> None:
    runs = story().comparison
    acc = runs.log.accepted_times
    L, W = runs.limits.limit, runs.limits.window
    assert all(sum(1 for s in acc if t - W < s <= t) <= L for t in acc)


def test_every_beat_ends_on_a_clean_still(tmp_path: Path) -> None:
    found = beat_layout_problems(TOPIC, tmp_path)
    board = Project().load_storyboard(TOPIC)
    assert sorted(found) == sorted(f"{i + 1:02d}-{b.id}" for i, b in enumerate(board.beats))
    dirty = {k: v for k, v in found.items() if v}
    assert not dirty, dirty


def typed_numbers(path: Path) -> list[str]:
    """String literals of a scene (docstrings aside) holding a number outside a format field."""
    source = re.sub(r'"""[\s\S]*?"""', "", path.read_text())
    literals = re.findall(r'"([^"\n]*)"', source)
    bare = re.compile(r"(?<![{:.\w\[])\d+(\.\d+)?(?![\w}\]])")
    return [lit for lit in literals if bare.search(re.sub(r"{[^}]*}", "", lit))]


def test_scene_types_no_number_the_model_computes() -> None:
    """Only protocol and definition constants are typed: HTTP 429, a request costs 1 token,
    a window resets to 0, the counter keeps 2 integers; everything else is read from the model."""
    allowed = {"Which pass, and which get 429 Too Many Requests?", "rejected · 429", "429",
               "under 1 token → 429", "0", "count per {W:g} s slot, back to 0 at every edge",
               "estimate = prev × (1 − f) + curr", "≈ exact, 2 integers",
               "exact count in the last {LIMITS.window:g} s: {check.exact}  → should be 429",
               "decisions wrong on this trace · 2 integers per client"}
    assert set(typed_numbers(Project().scene_path(TOPIC))) <= allowed
