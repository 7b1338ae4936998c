"""Rendered manifests read back for the site: validated once, every problem named by file and field.

The manifest is the render's contract (DESIGN.md); the site trusts nothing else about a render and
checks what it builds paths or markup from (ids, files, numbers) before using it.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from explainers.project import CATALOG, QUALITIES, Project, valid_beat_id
from explainers.storyboard import TOPIC_ID

SITE_DIR = "site"  # media/site/ (never a topic's folder: a manifest is looked for one level deeper)

# Which rendered quality feeds each web size, best first: the same size, else a larger render
# scaled down (a 1080p render serves `site --quality 720p` without another render).
SOURCES: dict[str, tuple[str, ...]] = {
    "1080p": ("1080p", "4k"),
    "720p": ("720p", "1080p", "4k"),
    "tiny": ("tiny",),
}


class SiteError(Exception):
    """Bad input for the site: missing or malformed manifests (exit code 2), one line per problem."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class RenderedBeat:
    """One beat as the render describes it; `source` is its clip, checked to exist."""

    index: int  # 1-based
    id: str
    title: str
    start: float
    duration: float
    narration: str
    source: Path


@dataclass(frozen=True)
class RenderedTopic:
    """One topic's render at one quality, validated."""

    topic: str
    title: str
    summary: str
    tags: tuple[str, ...]
    quality: str
    width: int
    height: int
    fps: int
    duration: float
    thumbnail_beat: str
    beats: tuple[RenderedBeat, ...]
    manifest: Path


def catalog_order(topics: list[str]) -> list[str]:
    """Catalog topics in the seed's order, then any others (demo, new ones) by name."""
    known = [t for t, _ in CATALOG if t in topics]
    return known + sorted(set(topics) - set(known))


def find_manifests(project: Project, quality: str) -> list[Path]:
    """The manifest feeding each rendered topic at this web quality, in catalog order."""
    if not project.media.is_dir():
        return []
    found: dict[str, Path] = {}
    for folder in sorted(project.media.iterdir()):
        if folder.name == SITE_DIR or not folder.is_dir() or not TOPIC_ID.fullmatch(folder.name):
            continue
        for source in SOURCES[quality]:
            manifest = folder / source / "manifest.json"
            if manifest.is_file():
                found[folder.name] = manifest
                break
    return [found[t] for t in catalog_order(list(found))]


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


class _Checker:
    """Collects problems with one manifest instead of stopping at the first."""

    def __init__(self, path: Path, shown: str):
        self.path = path
        self.shown = shown
        self.problems: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.problems.append(f"{self.shown}: {where}: {message}")

    def text(self, data: dict, key: str, where: str = "", required: bool = True) -> str:
        value = data.get(key)
        if isinstance(value, str) and (value.strip() or not required):
            return value
        if value is None and not required:
            return ""
        self.add(f"{where}{key}", "missing or not a non-empty string")
        return ""

    def positive(self, data: dict, key: str, where: str = "") -> float:
        value = data.get(key)
        if _number(value) and value > 0:
            return float(value)
        self.add(f"{where}{key}", f"must be a positive number, got {value!r}")
        return 1.0


def read_manifest(path: Path, shown: str | None = None) -> RenderedTopic:
    """Load one manifest.json; raise SiteError listing every problem with it."""
    check = _Checker(path, shown or str(path))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SiteError([f"{check.shown}: unreadable manifest ({exc})"]) from None
    if not isinstance(data, dict):
        raise SiteError([f"{check.shown}: the manifest must be a JSON object"])
    out = path.parent
    folder_topic = out.parent.name
    topic = check.text(data, "topic")
    if topic and topic != folder_topic:
        check.add("topic", f"'{topic}' does not match its folder '{folder_topic}'")
    quality = data.get("quality")
    if quality not in QUALITIES:
        check.add("quality", f"unknown quality {quality!r}")
    elif quality != out.name:
        check.add("quality", f"'{quality}' does not match its folder '{out.name}'")
    sizes = {}
    for key in ("width", "height", "fps"):
        value = data.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= 10_000:
            sizes[key] = value
        else:
            check.add(key, f"must be a positive whole number, got {value!r}")
            sizes[key] = 1
    tags = data.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        check.add("tags", "must be a list of strings")
        tags = []
    beats = _read_beats(data.get("beats"), out, check)
    ids = [b.id for b in beats]
    thumb = data.get("thumbnail_beat")
    if thumb is not None and thumb not in ids:
        check.add("thumbnail_beat", f"'{thumb}' is not one of the beats")
    title = check.text(data, "title")
    summary = check.text(data, "summary", required=False)
    if check.problems:
        raise SiteError(check.problems)
    return RenderedTopic(
        topic=topic,
        title=title,
        summary=summary,
        tags=tuple(tags),
        quality=str(quality),
        width=sizes["width"],
        height=sizes["height"],
        fps=sizes["fps"],
        duration=float(sum(b.duration for b in beats)),
        thumbnail_beat=thumb if isinstance(thumb, str) else beats[-1].id,
        beats=tuple(beats),
        manifest=path,
    )


def _read_beats(raw: object, out: Path, check: _Checker) -> list[RenderedBeat]:
    if not isinstance(raw, list) or not raw:
        check.add("beats", "must be a non-empty list")
        return []
    beats: list[RenderedBeat] = []
    seen: set[str] = set()
    root = out.resolve()
    for n, item in enumerate(raw, start=1):
        where = f"beats[{n}]."
        if not isinstance(item, dict):
            check.add(f"beats[{n}]", "must be an object")
            continue
        beat_id = item.get("id")
        if not isinstance(beat_id, str) or not valid_beat_id(beat_id):
            check.add(f"{where}id", f"invalid beat id {beat_id!r}")
            continue
        if beat_id in seen:
            check.add(f"{where}id", f"duplicate beat id '{beat_id}'")
        seen.add(beat_id)
        file = item.get("file")
        source = root / str(file)
        if not isinstance(file, str) or not source.resolve().is_relative_to(root):
            check.add(f"{where}file", f"must be a path inside {out.name}/, got {file!r}")
        elif not source.is_file():
            check.add(f"{where}file", f"clip {file} not found (render the topic again)")
        start = item.get("start")
        if not _number(start) or start < 0:
            check.add(f"{where}start", f"must be a number >= 0, got {start!r}")
            start = 0.0
        beats.append(RenderedBeat(
            index=n,
            id=beat_id,
            title=check.text(item, "title", where),
            start=float(start),
            duration=check.positive(item, "duration", where),
            narration=check.text(item, "narration", where, required=False),
            source=source,
        ))
    return beats
