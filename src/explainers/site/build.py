"""`explainers site`: rendered manifests -> a static site in media/site/ (catalog + one player per topic).

Layout of the output (all links relative, so it works from file:// and any static server):

    media/site/index.html                     the catalog, in the seed's order
    media/site/_static/player.js, site.css    no framework, nothing from the network
    media/site/<topic>/index.html             the player
    media/site/<topic>/clips/NN-<beat>.mp4    web clips (H.264, fast start, 1 s GOP, BT.709)
    media/site/<topic>/posters/NN-<beat>.png  last frame of each beat
    media/site/<topic>/captions/NN-<beat>.vtt the beat's captions, starting at 0
    media/site/<topic>/thumb.png              catalog card image

`_static` starts with `_`, which no topic id can, so it never clashes with a topic folder.
Clips are cached in <topic>/.build.json: a rebuild re-encodes only beats whose source changed.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import jinja2

from explainers import media
from explainers.captions import timestamp
from explainers.project import QUALITIES, Project, Quality
from explainers.site import clips
from explainers.site.manifests import (
    SITE_DIR,
    SOURCES,
    RenderedTopic,
    SiteError,
    find_manifests,
    read_manifest,
)

Progress = Callable[[str], None]
STATIC_DIR = "_static"
CACHE_FILE = ".build.json"
TAGLINE = ("Complex concepts explained in ~100 seconds with interactive animations. "
           "Use arrow keys or swipe to navigate.")


@dataclass
class SiteReport:
    """What a build did: where the site is, which topics it holds, how many clips were encoded."""

    out: Path
    topics: list[str] = field(default_factory=list)
    encoded: int = 0
    reused: int = 0


@cache
def environment() -> jinja2.Environment:
    """Templates from package data; autoescape on for every template, undefined names are errors."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("explainers.site", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["clock"] = timestamp
    return env


def build_site(project: Project, quality: str = "1080p", progress: Progress | None = None) -> SiteReport:
    """Build media/site/ from every topic rendered at (or above) `quality`."""
    say = progress or (lambda _line: None)
    if quality not in SOURCES:
        raise SiteError([f"the site is built at {', '.join(SOURCES)}, not {quality!r}"])
    manifests = find_manifests(project, quality)
    if not manifests:
        hint = SOURCES[quality][0]
        message = (f"no topic in {project.media} is rendered at {' or '.join(SOURCES[quality])}; "
                   f"render one first: explainers render --topic TOPIC --quality {hint}")
        raise SiteError([message])
    topics, problems = [], []
    for path in manifests:
        try:
            topics.append(read_manifest(path, shown=media_shown(path, project.media)))
        except SiteError as exc:
            problems.extend(exc.problems)
    if problems:
        raise SiteError(problems)

    site = project.media / SITE_DIR
    report = SiteReport(site)
    static = copy_static(site / STATIC_DIR)
    target = QUALITIES[quality]
    cards = []
    for n, topic in enumerate(topics):
        following = topics[n + 1] if n + 1 < len(topics) else None
        cards.append(build_topic(site, topic, target, static, following, report, say))
        report.topics.append(topic.topic)
    render(site / "index.html", "catalog.html", cards=cards, tagline=TAGLINE, static=static,
           root="")
    remove_stale_topics(site, set(report.topics))
    return report


def media_shown(path: Path, media_root: Path) -> str:
    """A manifest path as the user knows it: media/<topic>/<quality>/manifest.json."""
    try:
        return str(Path(media_root.name) / path.relative_to(media_root))
    except ValueError:
        return str(path)


def copy_static(dest: Path) -> dict[str, str]:
    """Copy the player's JS and CSS; returns name -> URL suffix with a content hash (no stale cache)."""
    urls = {}
    source = resources.files("explainers.site") / "static"
    for item in sorted(source.iterdir(), key=lambda p: p.name):
        if not item.is_file() or item.name.startswith("."):
            continue
        data = item.read_bytes()
        target = dest / item.name
        if not target.is_file() or target.read_bytes() != data:
            with media.atomic_path(target) as tmp:
                tmp.write_bytes(data)
        urls[item.name] = f"{STATIC_DIR}/{item.name}?v={hashlib.sha256(data).hexdigest()[:10]}"
    return urls


def render(path: Path, template: str, **context: object) -> None:
    """Render a template to a file atomically (readers never see half a page)."""
    media.write_text_atomic(path, environment().get_template(template).render(**context))


def _read_cache(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def web_size(topic: RenderedTopic, target: Quality) -> tuple[int, int, int]:
    """Width, height and fps of the web clips: the target quality, never above the render."""
    if topic.width <= target.width:
        return topic.width, topic.height, min(topic.fps, target.fps)
    height = round(topic.height * target.width / topic.width / 2) * 2
    return target.width, height, min(topic.fps, target.fps)


def build_topic(site: Path, topic: RenderedTopic, target: Quality, static: dict[str, str],
                following: RenderedTopic | None, report: SiteReport, say: Progress) -> dict:
    """Clips, posters, captions, thumbnail and player page of one topic; returns its catalog card."""
    folder = site / topic.topic
    cache_path = folder / CACHE_FILE
    cache = _read_cache(cache_path)
    fresh: dict[str, str] = {}
    width, height, fps = web_size(topic, target)
    beats, made = [], 0
    for beat in topic.beats:
        stem = f"{beat.index:02d}-{beat.id}"
        clip, poster = folder / "clips" / f"{stem}.mp4", folder / "posters" / f"{stem}.png"
        vtt = folder / "captions" / f"{stem}.vtt"
        key = clips.asset_key(beat.source, width, height, fps)
        if cache.get(stem) != key or not clip.is_file() or not poster.is_file():
            clips.encode_web_clip(beat.source, clip, width, height, fps)
            media.extract_frame(clip, poster)
            made += 1
        fresh[stem] = key
        text = clips.beat_vtt(beat)
        if not vtt.is_file() or vtt.read_text(encoding="utf-8") != text:
            media.write_text_atomic(vtt, text)
        beats.append({
            "index": beat.index, "stem": stem, "id": beat.id, "title": beat.title, "duration": beat.duration,
            "narration": beat.narration, "clip": f"clips/{stem}.mp4",
            "poster": f"posters/{stem}.png", "captions": f"captions/{stem}.vtt",
            "cues": clips.cue_data(beat),
        })
    thumb_beat = next(b for b in beats if b["id"] == topic.thumbnail_beat)
    thumb = folder / "thumb.png"
    thumb_key = f"{thumb_beat['stem']}:{fresh[thumb_beat['stem']]}"
    if cache.get("thumb") != thumb_key or not thumb.is_file():
        clips.make_thumbnail(folder / thumb_beat["poster"], thumb)
    fresh["thumb"] = thumb_key
    thumb_size = media.probe(thumb)
    _remove_unused(folder, {b["clip"] for b in beats} | {b["poster"] for b in beats}
                   | {b["captions"] for b in beats})
    media.write_json_atomic(cache_path, fresh)
    report.encoded += made
    report.reused += len(beats) - made
    say(f"{topic.topic}: {len(beats)} beats, {made} web clip(s) encoded, {len(beats) - made} reused")

    next_topic = ({"title": following.title, "href": f"../{following.topic}/index.html"}
                  if following else None)
    data = {"topic": topic.topic, "title": topic.title, "next": next_topic,
            "beats": [{k: b[k] for k in ("id", "title", "duration", "cues")} for b in beats]}
    render(folder / "index.html", "player.html", topic=topic, beats=beats, width=width,
           height=height, data=data, next_topic=next_topic, static=static, root="../")
    return {"topic": topic.topic, "title": topic.title, "summary": topic.summary,
            "tags": topic.tags, "duration": topic.duration, "beats": len(beats),
            "href": f"{topic.topic}/index.html", "thumb": f"{topic.topic}/thumb.png",
            "thumb_width": thumb_size.width, "thumb_height": thumb_size.height}


def _remove_unused(folder: Path, keep: set[str]) -> None:
    """Clips, posters and captions of beats that no longer exist (renamed, removed, renumbered)."""
    for sub in ("clips", "posters", "captions"):
        for path in (folder / sub).glob("*"):
            if path.is_file() and not path.name.startswith(".") and f"{sub}/{path.name}" not in keep:
                path.unlink(missing_ok=True)


def remove_stale_topics(site: Path, keep: set[str]) -> None:
    """Topic folders of an earlier build whose topic is no longer rendered (only folders we made)."""
    for folder in site.iterdir():
        if folder.is_dir() and folder.name not in keep and (folder / CACHE_FILE).is_file():
            shutil.rmtree(folder)
