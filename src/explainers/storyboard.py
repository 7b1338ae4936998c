"""Storyboards: TOML files loaded once into typed objects, every problem reported with file, beat, field."""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TOPIC_ID = re.compile(r"[a-z][a-z0-9-]*")
BEAT_ID = re.compile(r"[a-z][a-z0-9_]*")
MAX_ID_LENGTH = 64

TOTAL_SECONDS = (80.0, 120.0)
BEAT_COUNT = (5, 9)
MAX_CHARS_PER_SECOND = 20.0
MAX_BEAT_SECONDS = 600.0
MAX_TEXT = {"title": 100, "summary": 300, "narration": 4000}

EXPLAINER_KEYS = {"topic": str, "title": str, "summary": str, "tags": list, "thumbnail": str}
EXPLAINER_REQUIRED = ("topic", "title", "summary")
BEAT_KEYS = {"id": str, "title": str, "seconds": (int, float), "narration": str}
BEAT_REQUIRED = tuple(BEAT_KEYS)
TOP_KEYS = {"explainer", "beat"}


@dataclass(frozen=True)
class Beat:
    """One step of an explainer: what is said and for how long."""

    id: str
    title: str
    seconds: float
    narration: str

    @property
    def method(self) -> str:
        """Name of the scene method that draws this beat."""
        return f"beat_{self.id}"


@dataclass(frozen=True)
class Storyboard:
    """A validated storyboard; the rest of the code trusts it."""

    path: Path
    topic: str
    title: str
    summary: str
    tags: tuple[str, ...]
    beats: tuple[Beat, ...]
    thumbnail: str | None = None

    @property
    def duration(self) -> float:
        """Total length in seconds."""
        return float(sum(b.seconds for b in self.beats))

    def starts(self) -> list[float]:
        """Start time of every beat, derived from the durations (timing is data)."""
        out, t = [], 0.0
        for beat in self.beats:
            out.append(t)
            t += beat.seconds
        return out

    def beat(self, beat_id: str) -> Beat:
        """The beat with this id."""
        for b in self.beats:
            if b.id == beat_id:
                return b
        raise KeyError(beat_id)

    def index(self, beat_id: str) -> int:
        """Zero-based position of a beat."""
        return [b.id for b in self.beats].index(beat_id)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a storyboard, printable as a single line."""

    file: str
    message: str
    beat: str | None = None
    field: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        parts = [where]
        if self.beat is not None:
            parts.append(f"beat '{self.beat}'")
        if self.field is not None:
            parts.append(self.field)
        return ": ".join(parts) + f": {self.message}"


class StoryboardError(Exception):
    """Raised with every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class _Collector:
    file: str
    problems: list[Problem] = field(default_factory=list)

    def add(self, message: str, beat: str | None = None, fld: str | None = None) -> None:
        self.problems.append(Problem(self.file, _one_line(message), beat, fld))


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _shown(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def display_path(path: Path) -> str:
    """Path as the user would type it: relative to the working directory when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load(path: Path, *, length_rules: bool = True, expect_topic: str | None = None) -> Storyboard:
    """Read and validate one storyboard; raise StoryboardError listing every problem."""
    path = Path(path)
    col = _Collector(display_path(path))
    data = _read_toml(path, col)
    if data is None:
        raise StoryboardError(col.problems)
    topic = path.stem if expect_topic is None else expect_topic
    board = _check(path, data, col, topic, length_rules)
    if col.problems or board is None:
        raise StoryboardError(col.problems)
    return board


def _read_toml(path: Path, col: _Collector) -> dict[str, Any] | None:
    if path.is_dir():
        col.add("is a directory, expected a TOML file")
        return None
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        col.add("no such file")
        return None
    except OSError as exc:
        col.add(f"cannot read: {exc.strerror or exc}")
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        col.add(f"not UTF-8 text (byte {exc.start})")
        return None
    text = text.removeprefix("\ufeff")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
        line = int(m.group(1)) if m else None
        col.problems.append(
            Problem(col.file, "TOML syntax error: " + _one_line(msg.split(" (at ")[0]), line=line)
        )
        return None


def _check_keys(
    col: _Collector, table: dict, allowed: dict, required: tuple, beat: str | None, prefix: str
) -> None:
    for key in table:
        if key not in allowed:
            col.add(f"unknown key (allowed: {', '.join(allowed)})", beat, f"{prefix}{key}")
    for key in required:
        if key not in table:
            col.add("missing", beat, f"{prefix}{key}")
    for key, kind in allowed.items():
        if key in table and not _is(table[key], kind):
            col.add(f"must be {_kind_name(kind)}, got {_shown(table[key])}", beat, f"{prefix}{key}")


def _is(value: Any, kind: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, kind)


def _kind_name(kind: Any) -> str:
    if kind is str:
        return "a string"
    if kind is list:
        return "a list of strings"
    return "a number"


def _check_text(col: _Collector, value: Any, name: str, beat: str | None, prefix: str) -> None:
    if not isinstance(value, str):
        return
    if not value.strip():
        col.add("must not be empty", beat, prefix + name)
    elif len(value) > MAX_TEXT[name]:
        col.add(
            f"too long ({len(value)} characters, at most {MAX_TEXT[name]})", beat, prefix + name
        )
    elif any(ord(c) < 32 and c not in "\n\t" for c in value):
        col.add("contains control characters", beat, prefix + name)


def _check(
    path: Path, data: dict, col: _Collector, topic: str, length_rules: bool
) -> Storyboard | None:
    for key in data:
        if key not in TOP_KEYS:
            col.add("unknown table (allowed: [explainer], [[beat]])", None, key)
    head = data.get("explainer")
    if not isinstance(head, dict):
        col.add(
            "missing [explainer] table" if head is None else "must be a table", None, "explainer"
        )
        head = {}
    else:
        _check_keys(col, head, EXPLAINER_KEYS, EXPLAINER_REQUIRED, None, "explainer.")
    if isinstance(head.get("topic"), str) and head["topic"] != topic:
        col.add(
            f"is {_shown(head['topic'])} but the file is named {topic}.toml",
            None,
            "explainer.topic",
        )
    if not TOPIC_ID.fullmatch(topic) or len(topic) > MAX_ID_LENGTH:
        col.add("file name must be a topic id: lowercase letters, digits and '-'", None, "topic")
    for name in ("title", "summary"):
        _check_text(col, head.get(name), name, None, "explainer.")
    tags = head.get("tags", [])
    if isinstance(tags, list) and not all(isinstance(t, str) and t.strip() for t in tags):
        col.add("must be a list of non-empty strings", None, "explainer.tags")

    raw_beats = data.get("beat")
    if raw_beats is None:
        col.add("no [[beat]] entries", None, "beat")
        raw_beats = []
    elif not isinstance(raw_beats, list) or not all(isinstance(b, dict) for b in raw_beats):
        col.add("must be an array of tables ([[beat]])", None, "beat")
        raw_beats = []
    beats = _check_beats(col, raw_beats)

    if length_rules and raw_beats:
        lo, hi = BEAT_COUNT
        if not lo <= len(raw_beats) <= hi:
            col.add(f"{len(raw_beats)} beats; an explainer has {lo} to {hi}", None, "beat")
        total = sum(b.seconds for b in beats)
        if (
            beats
            and len(beats) == len(raw_beats)
            and not TOTAL_SECONDS[0] <= total <= TOTAL_SECONDS[1]
        ):
            col.add(
                f"total is {total:g} s; must be {TOTAL_SECONDS[0]:g}-{TOTAL_SECONDS[1]:g} s",
                None,
                "seconds",
            )
    thumb = head.get("thumbnail")
    raw_ids = {b.get("id") for b in raw_beats}
    if isinstance(thumb, str) and raw_beats and thumb not in raw_ids:
        col.add(f"names no beat ({_shown(thumb)})", None, "explainer.thumbnail")
    if col.problems:
        return None
    return Storyboard(
        path=path,
        topic=topic,
        title=head["title"].strip(),
        summary=head["summary"].strip(),
        tags=tuple(t.strip() for t in tags),
        beats=tuple(beats),
        thumbnail=thumb,
    )


def _check_beats(col: _Collector, raw_beats: list[dict]) -> list[Beat]:
    beats: list[Beat] = []
    seen: set[str] = set()
    for n, raw in enumerate(raw_beats, start=1):
        bid = raw.get("id")
        label = bid if isinstance(bid, str) and BEAT_ID.fullmatch(bid) else f"#{n}"
        before = len(col.problems)
        _check_keys(col, raw, BEAT_KEYS, BEAT_REQUIRED, label, "")
        if isinstance(bid, str):
            if not BEAT_ID.fullmatch(bid) or len(bid) > MAX_ID_LENGTH:
                col.add(f"{_shown(bid)} is not a lowercase slug ([a-z][a-z0-9_]*)", label, "id")
            elif bid in seen:
                col.add("duplicate beat id", label, "id")
            seen.add(bid)
        _check_text(col, raw.get("title"), "title", label, "")
        _check_text(col, raw.get("narration"), "narration", label, "")
        secs = raw.get("seconds")
        if _is(secs, (int, float)):
            if not math.isfinite(secs) or secs <= 0:
                col.add(
                    f"must be a positive number of seconds, got {_shown(secs)}", label, "seconds"
                )
            elif secs > MAX_BEAT_SECONDS:
                col.add(
                    f"{secs:g} s is longer than any beat can be ({MAX_BEAT_SECONDS:g} s)",
                    label,
                    "seconds",
                )
            elif isinstance(raw.get("narration"), str):
                rate = len(_one_line(raw["narration"])) / secs
                if rate > MAX_CHARS_PER_SECOND:
                    col.add(
                        f"{rate:.1f} characters per second is too fast to read "
                        f"(at most {MAX_CHARS_PER_SECOND:g}); shorten it or lengthen the beat",
                        label,
                        "narration",
                    )
        if len(col.problems) == before:
            beats.append(Beat(bid, raw["title"].strip(), float(secs), _one_line(raw["narration"])))
    return beats


def check_scene_methods(
    board: Storyboard, method_names: set[str], scene_file: str
) -> list[Problem]:
    """Beats without a `beat_<id>` method, and `beat_` methods without a beat."""
    problems = []
    wanted = {b.method for b in board.beats}
    file = display_path(board.path)
    for b in board.beats:
        if b.method not in method_names:
            problems.append(Problem(file, f"no method {b.method}() in {scene_file}", b.id, "id"))
    for name in sorted(method_names - wanted):
        problems.append(Problem(scene_file, f"{name}() has no beat in {file}", name[5:], "id"))
    return problems
