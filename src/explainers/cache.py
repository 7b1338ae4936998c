"""The per-beat cache: keys, recorded source hashes, and what a clip cost to draw."""

from __future__ import annotations

import hashlib
import json
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

from explainers import media
from explainers.project import Quality
from explainers.storyboard import Storyboard

if TYPE_CHECKING:
    from explainers.plan import BeatJob


def file_hash(path: Path) -> str:
    """Content hash of one source file ('' when it is gone)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    except OSError:
        return ""


def beat_keys(board: Storyboard, quality: Quality, encoder: dict[str, str]) -> list[str]:
    """Cache key per beat: what in the storyboard and settings can change that beat's pixels.

    That is the beat's own id, title and seconds, its position (the indicator shows n/N), the ids
    of the beats before it (their methods build the state it starts from), the topic title, the
    quality, Manim's version and the encoder settings. Earlier beats' titles and seconds are left
    out on purpose: the chrome shows only the current beat's title, and a beat's end state does not
    depend on how long it is held, so editing one beat re-renders that beat alone. Narration is not
    drawn. Source files are checked separately (see `is_fresh`): each clip records the scene, kit
    and model files its worker imported.
    """
    common = {
        "quality": [quality.width, quality.height, quality.fps],
        "manim": version("manim"),
        "encoder": sorted(encoder.items()),
        "topic_title": board.title,
        "beats": len(board.beats),
    }
    keys = []
    for i, beat in enumerate(board.beats):
        payload = {
            **common,
            "index": i,
            "before": [b.id for b in board.beats[:i]],
            "beat": [beat.id, beat.title, beat.seconds],
        }
        keys.append(hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:24])
    return keys


def file_stamp(path: Path) -> list[int]:
    """Size and modification time: a clip with the same stamp as when it was checked is the same."""
    try:
        stat = path.stat()
    except OSError:
        return []
    return [stat.st_size, stat.st_mtime_ns]


def unchanged_since_checked(entry: object, clip: Path) -> bool:
    """The clip is the file that was probed when it was accepted (no ffprobe needed again)."""
    return (
        isinstance(entry, dict)
        and bool(entry.get("checked"))
        and entry["checked"] == file_stamp(clip)
    )


def is_fresh(entry: object, key: str) -> bool:
    """A cache entry matches the key and none of the sources it was drawn with changed."""
    if not isinstance(entry, dict) or entry.get("key") != key:
        return False
    return sources_unchanged(entry.get("deps"))


def sources_unchanged(deps: object) -> bool:
    """Every source file a clip recorded still has the hash it had then."""
    return (
        isinstance(deps, dict)
        and bool(deps)
        and all(file_hash(Path(f)) == h for f, h in deps.items())
    )


def scene_unchanged(cache: dict[str, dict], scene_file: Path) -> bool:
    """A worker imported this scene, and every file it imported, as they are now (so the
    renderer need not import it again to trust it: that costs Manim's ~2 s start-up)."""
    scene = str(scene_file.resolve())
    return any(
        scene in (entry.get("deps") or {}) and sources_unchanged(entry["deps"])
        for entry in cache.values()
    )


def read_cache(out: Path) -> dict[str, dict]:
    try:
        data = json.loads((out / "beats" / ".cache.json").read_text(encoding="utf-8"))
        return (
            {str(k): v for k, v in data.items() if isinstance(v, dict)}
            if isinstance(data, dict)
            else {}
        )
    except (OSError, ValueError):
        return {}


def write_cache(out: Path, cache: dict[str, dict]) -> None:
    media.write_json_atomic(out / "beats" / ".cache.json", dict(sorted(cache.items())))


def remove_stale(out: Path, jobs: list[BeatJob], cache: dict[str, dict]) -> None:
    """Clips of beats that no longer exist (renamed, removed, renumbered) are deleted."""
    wanted = {j.clip.name for j in jobs}
    for clip in (out / "beats").glob("*.mp4"):
        if clip.name not in wanted:
            clip.unlink(missing_ok=True)
            cache.pop(clip.name, None)
    for name in list(cache):
        if name not in wanted:
            cache.pop(name)
    write_cache(out, cache)
