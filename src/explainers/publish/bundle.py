"""media/<topic>/publish/ from a finished render: master, Short, thumbnail, captions, metadata.

Publishing reads the render's manifest (what is actually in the video), never re-renders, and
refuses a render that no longer matches its storyboard. Each encode is skipped when its inputs
and settings are unchanged (a key per output in .publish-cache.json), so `--upload` after a
publish does not encode again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from explainers import media
from explainers.project import QUALITIES, Project
from explainers.publish import checks, master, metadata, shorts, thumbnail

Progress = Callable[[str], None]
PACKAGE = Path(__file__).resolve().parent
FOLDER = "publish"


class NotRendered(Exception):
    """The asked quality is missing or stale: the message names the render command (exit 2)."""


@dataclass(frozen=True)
class Rendered:
    """A finished render: its folder and manifest."""

    topic: str
    quality: str
    folder: Path
    manifest: dict

    def path(self, name: str) -> Path:
        return self.folder / name


@dataclass
class Bundle:
    """What publish wrote, and what it found on the way."""

    folder: Path
    files: dict[str, str]
    meta: metadata.Metadata
    master_checks: list[checks.Check]
    shorts_checks: list[checks.Check]
    shorts_seconds: float
    thumb: thumbnail.Thumbnail
    cues: int
    warnings: list[str] = field(default_factory=list)


def render_command(topic: str, quality: str) -> str:
    return f"render --topic {topic} --quality {quality}"


def load_rendered(project: Project, topic: str, quality: str) -> Rendered:
    """The render to publish from, checked complete and in step with the storyboard."""
    board = project.load_storyboard(topic)
    folder = project.out_dir(topic, quality)
    fix = f"run: {render_command(topic, quality)}"
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        others = [q for q in QUALITIES if (project.out_dir(topic, q) / "manifest.json").is_file()]
        have = f" (rendered: {', '.join(others)})" if others else ""
        raise NotRendered(f"error: {topic} is not rendered at {quality}{have}; {fix}") from None
    expected = {
        "title": board.title, "summary": board.summary, "tags": list(board.tags),
        "thumbnail_beat": board.thumbnail,
        "beats": [[b.id, b.title, float(b.seconds), b.narration] for b in board.beats],
    }
    found = {
        "title": manifest.get("title"), "summary": manifest.get("summary"),
        "tags": manifest.get("tags"), "thumbnail_beat": manifest.get("thumbnail_beat"),
        "beats": [[b.get("id"), b.get("title"), float(b.get("duration", -1)), b.get("narration")]
                  for b in manifest.get("beats", [])],
    }
    if found != expected:
        changed = ", ".join(k for k in expected if expected[k] != found[k])
        raise NotRendered(f"error: the {quality} render of {topic} is older than its storyboard "
                          f"({changed} changed); {fix}")
    missing = [name for name in [manifest["video"], manifest["captions"]["srt"],
                                 *(b["file"] for b in manifest["beats"])]
               if not (folder / name).is_file()]
    if missing:
        raise NotRendered(f"error: the {quality} render of {topic} is incomplete "
                          f"(missing {missing[0]}); {fix}")
    return Rendered(topic, quality, folder, manifest)


def _code_hash(*names: str) -> str:
    digest = hashlib.sha256()
    for name in names:
        digest.update((PACKAGE / name).read_bytes())
    return digest.hexdigest()


def _stat(path: Path) -> list[object]:
    st = path.stat()
    return [str(path), st.st_size, st.st_mtime_ns]


class Cache:
    """Keys of the outputs already written (publish/.publish-cache.json)."""

    def __init__(self, folder: Path):
        self.path = folder / ".publish-cache.json"
        try:
            self.keys = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.keys = {}

    @staticmethod
    def key(payload: object) -> str:
        return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()

    def fresh(self, out: Path, key: str) -> bool:
        return out.is_file() and self.keys.get(out.name) == key

    def store(self, out: Path, key: str) -> None:
        self.keys[out.name] = key
        media.write_json_atomic(self.path, self.keys)


def publish(rendered: Rendered, *, encoding: master.Encoding = master.DEFAULT,
            progress: Progress = lambda line: None) -> Bundle:
    """Write every file of the bundle; raises MediaError if an encode misses a YouTube setting."""
    m = rendered.manifest
    topic = rendered.topic
    folder = rendered.folder.parent / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    cache = Cache(folder)
    fps, duration = float(m["fps"]), float(m["duration"])
    source = rendered.path(m["video"])
    audio = rendered.path(m["audio"]) if m.get("audio") else None
    files = {
        "video": f"{topic}.youtube.mp4", "shorts": f"{topic}.shorts.mp4",
        "thumbnail": "thumbnail.jpg", "captions": f"{topic}.srt",
        "description": "description.txt", "metadata": "metadata.json",
    }
    warnings: list[str] = []

    meta = metadata.build(m)
    warnings.extend(meta.warnings)

    video = folder / files["video"]
    key = Cache.key(["master", _stat(source), audio and _stat(audio), encoding, fps, duration,
                     _code_hash("master.py")])
    if cache.fresh(video, key):
        progress(f"{video.name}: unchanged, kept")
    else:
        progress(f"{video.name}: encoding {m['width']}x{m['height']}@{m['fps']} "
                 f"(preset {encoding.preset})")
        master.encode_master(source, video, fps=fps, duration=duration, audio=audio, encoding=encoding)
    master_checks = checks.check_video(video, width=int(m["width"]), height=int(m["height"]),
                                       fps=fps, duration=duration)
    _require(video, master_checks)
    cache.store(video, key)

    short = folder / files["shorts"]
    shorts_seconds = shorts.span(m["beats"], duration)
    key = Cache.key(["shorts", _stat(source), audio and _stat(audio), encoding, m["title"],
                     m["beats"], _code_hash("master.py", "shorts.py", "typeset.py", "../kit/theme.py")])
    if cache.fresh(short, key):
        progress(f"{short.name}: unchanged, kept")
    else:
        progress(f"{short.name}: composing {shorts.WIDTH}x{shorts.HEIGHT}, {shorts_seconds:g} s")
        shorts.make(m, rendered.folder, short, encoding=encoding, audio=audio)
    if shorts_seconds < duration:
        warnings.append(f"the Short stops at {shorts_seconds:g} s of {duration:g} s "
                        f"(Shorts are at most {shorts.MAX_SECONDS:g} s)")
    shorts_checks = checks.check_video(short, width=shorts.WIDTH, height=shorts.HEIGHT, fps=fps,
                                       duration=shorts_seconds)
    _require(short, shorts_checks)
    cache.store(short, key)

    srt_text = rendered.path(m["captions"]["srt"]).read_text(encoding="utf-8")
    srt_text = "".join(  # YouTube reads <b>, <i>... in SRT cue text as markup; timings stay
        line if " --> " in line else metadata.clean_markup(line)
        for line in srt_text.splitlines(keepends=True)
    )
    media.write_text_atomic(folder / files["captions"], srt_text)
    cue_count = srt_text.count(" --> ")

    thumb = thumbnail.make(m, rendered.folder, folder / files["thumbnail"])
    progress(f"thumbnail.jpg: beat '{thumb.beat}' ({thumb.reason})")

    media.write_text_atomic(folder / files["description"], meta.description)
    media.write_json_atomic(folder / files["metadata"], {
        "topic": topic,
        "source": {"quality": rendered.quality, "width": m["width"], "height": m["height"],
                   "fps": m["fps"], "duration": duration},
        "video": metadata.video_body(meta),
        "files": files,
        "captions": {"language": metadata.LANGUAGE, "name": "English", "file": files["captions"],
                     "cues": cue_count},
        "chapters": [{"start": c.start, "time": c.line().split(" ", 1)[0], "title": c.title}
                     for c in meta.chapters],
        "thumbnail": {"beat": thumb.beat, "reason": thumb.reason, "width": thumbnail.SIZE[0],
                      "height": thumbnail.SIZE[1], "bytes": thumb.bytes, "title_px": thumb.font_px},
        "shorts": {"title": metadata.shorts_title(meta.title), "duration": shorts_seconds,
                   "width": shorts.WIDTH, "height": shorts.HEIGHT},
        "limits": meta.limits(),
        "checks": {
            files["video"]: {c.name: c.found for c in master_checks},
            files["shorts"]: {c.name: c.found for c in shorts_checks},
        },
        "warnings": warnings,
    })
    return Bundle(folder, files, meta, master_checks, shorts_checks, shorts_seconds, thumb,
                  cue_count, warnings)


def _require(path: Path, found: list[checks.Check]) -> None:
    failed = [c for c in found if not c.ok]
    if failed:
        raise media.MediaError(f"{path.name} misses YouTube's recommended settings: "
                               + "; ".join(f"{c.name} ({c.found})" for c in failed))
