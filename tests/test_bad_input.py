"""Bad input, as creators make it: every malformed storyboard gets clear one-line errors naming file,
beat and field, exit code 2, no traceback, and nothing written under media/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import TESTS, run_cli
from explainers.project import Project
from explainers.storyboard import StoryboardError, load

CORPUS = TESTS / "bad_storyboards"
CASES = sorted(p.stem for p in CORPUS.glob("*.toml"))


def expectation(path: Path) -> str:
    first = path.read_bytes().decode("utf-8", errors="replace").lstrip("\ufeff").splitlines()[0]
    assert first.startswith("# expect: "), path
    return first.removeprefix("# expect: ")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("bad")
    shutil.copytree(CORPUS, root / "storyboards")
    big = root / "storyboards" / "huge-narration.toml"
    big.write_text(
        "# expect: beat 'b0': narration: too long (1000000 characters, at most 4000)\n"
        '[explainer]\ntopic = "huge-narration"\ntitle = "T"\nsummary = "S"\n'
        f'[[beat]]\nid = "b0"\ntitle = "B"\nseconds = 90\nnarration = "{"x" * 1_000_000}"\n'
    )
    (root / "storyboards" / "a-directory.toml").mkdir()
    return Project(root / "storyboards", root / "scenes", root / "media")


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 25


@pytest.mark.parametrize("name", [*CASES, "huge-narration"])
def test_bad_storyboard_render(corpus: Project, name: str) -> None:
    expected = expectation(corpus.storyboard_path(name))
    proc = run_cli(corpus, "--topic", name, "--quality", "tiny", script="render")
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert lines and all(line.startswith(str(corpus.storyboard_path(name))) for line in lines), (
        lines
    )
    assert any(expected in line for line in lines), (expected, lines)
    assert all(len(line) < 400 for line in lines)
    assert "Traceback" not in proc.stderr
    assert not corpus.media.exists()


def test_directory_where_a_file_should_be(corpus: Project) -> None:
    proc = run_cli(corpus, "validate", "a-directory")
    assert proc.returncode == 2
    assert (
        proc.stderr.strip()
        == f"{corpus.storyboard_path('a-directory')}: is a directory, expected a TOML file"
    )


def test_validate_reports_every_file(corpus: Project) -> None:
    proc = run_cli(corpus, "validate")
    assert proc.returncode == 2
    named = {line.split(":")[0] for line in proc.stderr.splitlines()}
    assert len(named) == len(CASES) + 2
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("topic", ["../../etc", "raft/../x", "/etc/passwd", "Raft", "a b", "-x"])
def test_topic_names_are_not_paths(corpus: Project, topic: str) -> None:
    proc = run_cli(corpus, "--topic", topic, script="render")
    assert proc.returncode == 2
    assert (
        proc.stderr.strip()
        == f"error: invalid topic id {topic!r}: use lowercase letters, digits and '-'"
    )
    assert not corpus.media.exists()


# -- random documents: a clean error or a valid storyboard, never a traceback ----------------

scalars = st.one_of(
    st.text(max_size=30), st.integers(), st.floats(allow_nan=True), st.booleans(), st.none()
)
keys = st.sampled_from(
    [
        "topic",
        "title",
        "summary",
        "tags",
        "id",
        "seconds",
        "narration",
        "thumbnail",
        "x",
        "beat",
        "explainer",
    ]
)


def toml_value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(str(v), repr(v))
    if v is None:
        return '""'
    if isinstance(v, int):
        return str(v)
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


@st.composite
def documents(draw: st.DrawFn) -> str:
    lines = []
    if draw(st.booleans()):
        lines.append("[explainer]")
        for k in draw(st.lists(keys, max_size=6, unique=True)):
            lines.append(f"{k} = {toml_value(draw(scalars))}")
    for _ in range(draw(st.integers(0, 4))):
        lines.append("[[beat]]")
        for k in draw(st.lists(keys, max_size=6, unique=True)):
            lines.append(f"{k} = {toml_value(draw(scalars))}")
    if draw(st.booleans()):  # sometimes raw garbage
        lines.insert(draw(st.integers(0, len(lines))), draw(st.text(max_size=20)))
    return "\n".join(lines) + "\n"


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(documents())
def test_random_documents_never_crash_the_loader(tmp_path: Path, text: str) -> None:
    path = tmp_path / "random.toml"
    path.write_bytes(text.encode("utf-8", errors="replace"))
    try:
        board = load(path, length_rules=False)
    except StoryboardError as exc:
        assert exc.problems
        assert all("\n" not in str(p) and str(p).startswith(str(path)) for p in exc.problems)
    else:
        assert board.beats
