"""Every validation rule, each with a bad storyboard of its own, through the loader and the CLI."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import DEMO, run_cli
from explainers.project import Project
from explainers.storyboard import StoryboardError, load

GOOD_BEAT = """
[[beat]]
id = "{id}"
title = "Beat {id}"
seconds = {seconds}
narration = "{narration}"
"""


def storyboard(
    beats: int = 6,
    seconds: float = 16,
    head: str | None = None,
    extra: str = "",
    narration: str = "Something short enough to read.",
) -> str:
    """A valid full-length storyboard text, with hooks to break one thing."""
    head = (
        head
        if head is not None
        else (
            '[explainer]\ntopic = "sample"\ntitle = "Sample"\nsummary = "A sample topic"\n'
            'tags = ["a", "b"]\n'
        )
    )
    body = "".join(
        GOOD_BEAT.format(id=f"b{i}", seconds=seconds, narration=narration) for i in range(beats)
    )
    return head + body + extra


def write(tmp_path: Path, text: str, name: str = "sample") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path, length_rules: bool = True) -> list[str]:
    with pytest.raises(StoryboardError) as info:
        load(path, length_rules=length_rules)
    return [str(p) for p in info.value.problems]


def test_valid_storyboard_loads_into_typed_objects(tmp_path: Path) -> None:
    board = load(write(tmp_path, storyboard()))
    assert board.topic == "sample" and len(board.beats) == 6
    assert board.duration == 96.0
    assert board.starts()[:3] == [0.0, 16.0, 32.0]
    assert board.beats[0].method == "beat_b0"


def test_syntax_error_names_the_line(tmp_path: Path) -> None:
    text = storyboard().replace('title = "Beat b2"', 'title = "Beat b2')
    (line,) = problems(write(tmp_path, text))
    expected_line = text.splitlines().index('title = "Beat b2') + 1
    assert (
        line.startswith(f"{tmp_path.name}/sample.toml:{expected_line}: TOML syntax error")
        or f"sample.toml:{expected_line}: TOML syntax error" in line
    )


def test_unknown_and_missing_keys(tmp_path: Path) -> None:
    text = storyboard().replace(
        'seconds = 16\nnarration = "Something short enough to read."\n',
        'secs = 16\nnarration = "Something short enough to read."\n',
        1,
    )
    text = text.replace('tags = ["a", "b"]', 'tags = ["a", "b"]\ncolour = "red"')
    found = problems(write(tmp_path, text))
    assert any("explainer.colour: unknown key" in p for p in found)
    assert any("beat 'b0': secs: unknown key" in p for p in found)
    assert any("beat 'b0': seconds: missing" in p for p in found)


def test_missing_explainer_table_and_fields(tmp_path: Path) -> None:
    found = problems(write(tmp_path, storyboard(head='[explainer]\ntopic = "sample"\n')))
    assert any("explainer.title: missing" in p for p in found)
    assert any("explainer.summary: missing" in p for p in found)


def test_topic_must_equal_file_name(tmp_path: Path) -> None:
    found = problems(write(tmp_path, storyboard(), name="other"))
    assert any("explainer.topic: is 'sample' but the file is named other.toml" in p for p in found)


@pytest.mark.parametrize("bad_id", ["Roles", "1st", "two words", "../x", "a-b", ""])
def test_beat_ids_must_be_lowercase_slugs(tmp_path: Path, bad_id: str) -> None:
    text = storyboard().replace('id = "b3"', f'id = "{bad_id}"')
    found = problems(write(tmp_path, text))
    assert any(": id: " in p and "is not a lowercase slug" in p for p in found), found


def test_duplicate_beat_ids(tmp_path: Path) -> None:
    text = storyboard().replace('id = "b3"', 'id = "b1"')
    assert any("beat 'b1': id: duplicate beat id" in p for p in problems(write(tmp_path, text)))


@pytest.mark.parametrize("seconds", ["0", "-4", "nan", "inf"])
def test_seconds_must_be_positive(tmp_path: Path, seconds: str) -> None:
    text = storyboard().replace("seconds = 16", f"seconds = {seconds}", 1)
    assert any(
        "beat 'b0': seconds: must be a positive number" in p
        for p in problems(write(tmp_path, text))
    )


def test_seconds_must_be_a_number(tmp_path: Path) -> None:
    text = storyboard().replace("seconds = 16", 'seconds = "16"', 1)
    assert any("beat 'b0': seconds: must be a number" in p for p in problems(write(tmp_path, text)))


@pytest.mark.parametrize(("beats", "seconds"), [(6, 10), (6, 21)])
def test_total_length_between_80_and_120(tmp_path: Path, beats: int, seconds: float) -> None:
    found = problems(write(tmp_path, storyboard(beats=beats, seconds=seconds)))
    assert any(f"seconds: total is {beats * seconds:g} s; must be 80-120 s" in p for p in found)


@pytest.mark.parametrize(("beats", "seconds"), [(4, 25), (10, 10)])
def test_five_to_nine_beats(tmp_path: Path, beats: int, seconds: float) -> None:
    found = problems(write(tmp_path, storyboard(beats=beats, seconds=seconds)))
    assert any(f"beat: {beats} beats; an explainer has 5 to 9" in p for p in found)


def test_length_rules_can_be_relaxed_explicitly(tmp_path: Path) -> None:
    path = write(tmp_path, storyboard(beats=2, seconds=3, narration="Short."))
    assert problems(path)
    assert len(load(path, length_rules=False).beats) == 2


def test_narration_faster_than_20_chars_per_second(tmp_path: Path) -> None:
    fast = "x" * 170  # 170 characters in a 8 s beat: 21.2 per second
    text = (
        storyboard()
        .replace("seconds = 16", "seconds = 8", 1)
        .replace("Something short enough to read.", fast, 1)
    )
    text = text.replace("seconds = 16", "seconds = 24", 1)
    found = problems(write(tmp_path, text))
    assert found == [
        f"{found[0].split(':')[0]}: beat 'b0': narration: 21.2 characters per second is "
        "too fast to read (at most 20); shorten it or lengthen the beat"
    ]


def test_several_problems_are_all_reported(tmp_path: Path) -> None:
    text = storyboard().replace('id = "b3"', 'id = "b1"').replace("seconds = 16", "seconds = -1", 1)
    text = text.replace('title = "Sample"', 'title = "Sample"\nextra = 1')
    found = problems(write(tmp_path, text))
    assert len(found) >= 3
    assert all(p.count("\n") == 0 for p in found)


def test_bom_and_directory(tmp_path: Path) -> None:
    path = write(tmp_path, "\ufeff" + storyboard())
    assert load(path).title == "Sample"
    (tmp_path / "dir.toml").mkdir()
    assert "is a directory" in problems(tmp_path / "dir.toml")[0]


# -- scene methods and the command line ------------------------------------------------------


@pytest.fixture
def demo_copy(tmp_path: Path) -> Project:
    """A writable copy of the demo topic whose storyboard or scene a test can break."""
    shutil.copytree(DEMO, tmp_path / "demo")
    return Project(
        tmp_path / "demo" / "storyboards",
        tmp_path / "demo" / "scenes",
        tmp_path / "media",
        length_rules=False,
    )


def test_beat_without_method_and_method_without_beat(demo_copy: Project) -> None:
    board = demo_copy.storyboard_path("demo")
    board.write_text(board.read_text().replace('id = "outro"', 'id = "finale"'))
    proc = run_cli(demo_copy, "validate", "demo")
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert any("beat 'finale': id: no method beat_finale() in" in ln for ln in lines), lines
    assert any("beat 'outro': id: beat_outro() has no beat in" in ln for ln in lines), lines
    assert "Traceback" not in proc.stderr


def test_bad_storyboard_render_exits_2_and_writes_nothing(demo_copy: Project) -> None:
    board = demo_copy.storyboard_path("demo")
    board.write_text(board.read_text().replace("seconds = 2.5", "seconds = 0"))
    proc = run_cli(demo_copy, "--topic", "demo", "--quality", "tiny", script="render")
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        f"{board}: beat 'move': seconds: must be a positive number of seconds, got 0"
    )
    assert "Traceback" not in proc.stderr
    assert not demo_copy.media.exists()


def test_unknown_topic_is_one_clear_line(demo_copy: Project) -> None:
    proc = run_cli(demo_copy, "--topic", "raft", script="render")
    assert proc.returncode == 2
    assert proc.stderr.strip() == "error: unknown topic 'raft'; available: demo"
    assert not demo_copy.media.exists()


def test_validate_all_and_list(demo_copy: Project) -> None:
    proc = run_cli(demo_copy, "validate")
    assert proc.returncode == 0, proc.stderr
    assert "1 storyboard(s) valid: demo" in proc.stdout
    listing = run_cli(demo_copy, "list")
    assert listing.returncode == 0
    assert listing.stdout.splitlines()[1].split() == [
        "demo",
        "Demo",
        "explainer",
        "3",
        "6.5",
        "s",
        "-",
    ]


def test_catalog_storyboards_are_valid() -> None:
    """Every storyboard in storyboards/ passes every rule, length rules included."""
    project = Project()
    for topic in project.topics():
        board, found = project.validate(topic)
        assert not found, "\n".join(map(str, found))
