"""Per-beat cache: only what can change a beat's pixels re-renders it."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import DEMO, run_cli
from explainers.project import Project


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("cache")
    shutil.copytree(DEMO, root / "demo")
    project = Project(
        root / "demo/storyboards", root / "demo/scenes", root / "media", length_rules=False
    )
    assert rendered(project) == {"intro", "move", "outro"}
    return project


def rendered(project: Project, *extra: str) -> set[str]:
    """Render the demo; the set of beats that were drawn (not taken from the cache)."""
    proc = run_cli(project, "--topic", "demo", "--quality", "tiny", *extra, script="render")
    assert proc.returncode == 0, proc.stderr
    return set(re.findall(r"\] (\w+): rendered in", proc.stderr))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def out(project: Project) -> Path:
    return project.out_dir("demo", "tiny")


def test_nothing_changed_nothing_rendered(project: Project) -> None:
    assert rendered(project) == set()


def test_narration_edit_rewrites_captions_not_video(project: Project) -> None:
    video = out(project) / "demo.mp4"
    before = video.stat().st_mtime_ns
    edit(project.storyboard_path("demo"), "Three dots, one at a time.", "Three violet dots.")
    assert rendered(project) == set()
    assert "Three violet dots." in (out(project) / "demo.srt").read_text()
    manifest = json.loads((out(project) / "manifest.json").read_text())
    assert manifest["beats"][2]["narration"] == "Three violet dots."
    assert video.stat().st_mtime_ns == before


def test_one_beat_title_edit_renders_that_beat_only(project: Project) -> None:
    edit(project.storyboard_path("demo"), 'title = "It moves"', 'title = "It slides"')
    assert rendered(project) == {"move"}
    assert "It slides" in (out(project) / "chapters.txt").read_text()


def test_truncated_clip_is_detected_and_rendered_again(project: Project) -> None:
    clip = out(project) / "beats" / "03-outro.mp4"
    clip.write_bytes(clip.read_bytes()[: clip.stat().st_size // 2])
    assert rendered(project) == {"outro"}


def test_scene_source_edit_renders_every_beat(project: Project) -> None:
    edit(
        project.scene_path("demo"), "dots.arrange(RIGHT, buff=0.5)", "dots.arrange(RIGHT, buff=0.6)"
    )
    assert rendered(project) == {"intro", "move", "outro"}


def test_force_ignores_the_cache(project: Project) -> None:
    assert rendered(project, "--force") == {"intro", "move", "outro"}


def test_only_some_beats(project: Project) -> None:
    edit(project.storyboard_path("demo"), "seconds = 2.5", "seconds = 3")
    proc = run_cli(
        project, "--topic", "demo", "--quality", "tiny", "--beats", "intro", script="render"
    )
    assert proc.returncode == 0
    assert "not rendered yet" in proc.stderr  # 'move' changed and was not asked for
    assert rendered(project, "--beats", "move") == {"move"}
    assert json.loads((out(project) / "manifest.json").read_text())["duration"] == 7.0


def test_clips_checked_once_are_not_probed_again(project: Project, monkeypatch) -> None:
    """A cached clip whose size and time are those recorded when it was checked is trusted."""
    from explainers import media
    from explainers.render import render_topic

    rendered(project)  # everything fresh
    probed: list[str] = []
    real_probe = media.clip_ok
    monkeypatch.setattr(
        media, "clip_ok", lambda path, *a: probed.append(path.name) or real_probe(path, *a)
    )
    render_topic(project, "demo", "tiny")
    assert probed == []
    clip = out(project) / "beats" / "01-intro.mp4"
    clip.write_bytes(clip.read_bytes())  # same bytes, new time: checked again
    render_topic(project, "demo", "tiny")
    assert probed == ["01-intro.mp4"]


def test_an_unchanged_scene_is_trusted_without_importing_it(project: Project, monkeypatch) -> None:
    """After a render, the renderer reads the scene's source instead of importing Manim and the
    scene (~2 s); a storyboard beat without a method is still refused with the usual line."""
    import explainers.project as project_module
    from explainers.render import check_scene, render_topic
    from explainers.storyboard import StoryboardError

    rendered(project)
    monkeypatch.setattr(
        project_module, "scene_class", lambda path: pytest.fail("imported an unchanged scene")
    )
    render_topic(project, "demo", "tiny")
    monkeypatch.undo()

    board = project.storyboard_path("demo")
    before = board.read_text()
    board.write_text(before + '\n[[beat]]\nid = "extra"\ntitle = "Extra"\nseconds = 2\n'
                     'narration = "One more beat."\n')
    try:
        with pytest.raises(StoryboardError) as err:
            check_scene(project, "demo", imported_before=True)
        assert "beat 'extra': id: no method beat_extra() in" in str(err.value.problems[0])
    finally:
        board.write_text(before)


def test_each_clip_records_what_it_cost_to_draw(project: Project) -> None:
    """The next render balances its workers with these (see test_parts)."""
    rendered(project, "--force")
    cache = json.loads((out(project) / "beats" / ".cache.json").read_text())
    assert sorted(cache) == ["01-intro.mp4", "02-move.mp4", "03-outro.mp4"]
    assert all(0 < entry["cost"] < 60 for entry in cache.values()), cache
