"""Per-beat web assets: an H.264 clip made for the browser, a poster (last frame), a WebVTT file.

Web clips are re-encoded from the beat clips rather than copied because the player needs what the
render does not promise: fast start (moov first), a keyframe every second (cheap seeks and
restarts), yuv420p and BT.709 colour tags. Manim writes its clips with ffmpeg's default BT.601
matrix and no tags, so the matrix is converted once (`colormatrix`) before tagging BT.709: tagging
without converting shifts colours (reference/publishing.md, verified: red Y=81 vs 63).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import ffmpeg

from explainers import captions, media
from explainers.site.manifests import RenderedBeat
from explainers.storyboard import Beat

# x264 for web clips (reference/publishing.md, command B, but preset medium): on a 15 s 1080p60
# beat of flat Manim art, slow gave 524 KB and medium 520 KB at the same SSIM (0.9996), so the
# slower preset buys nothing here. The 1 s GOP, not the preset, dominates the size.
WEB_X264: dict[str, str] = {
    "preset": "medium",
    "crf": "22",
    "tune": "animation",
    "profile:v": "high",
}
THUMB_WIDTH = 640  # catalog cards are at most ~420 CSS px wide; 640 covers them at 1.5x
ASSETS_VERSION = "1"  # bump when the way clips or posters are made changes


def asset_key(source: Path, width: int, height: int, fps: int) -> str:
    """What a web clip was made from: when it changes, the clip and its poster are made again."""
    stat = source.stat()
    recipe = [ASSETS_VERSION, source.name, stat.st_size, stat.st_mtime_ns, width, height, fps,
              sorted(WEB_X264.items())]
    return hashlib.sha256(json.dumps(recipe).encode()).hexdigest()[:16]


def encode_web_clip(source: Path, out: Path, width: int, height: int, fps: int) -> None:
    """Re-encode one beat clip for the web (see the module docstring); silent, like the beats."""
    info = media.probe(source)
    stream = ffmpeg.input(str(source)).video
    if info.fps > fps + 0.01:
        stream = stream.filter("fps", fps=fps)
    matrix = media.yuv_matrix(source)
    if matrix != "bt709":
        stream = stream.filter("colormatrix", src=matrix, dst="bt709")
    if (info.width, info.height) != (width, height):
        stream = stream.filter("scale", width, height, flags="lanczos")
    stream = stream.filter("setsar", 1).filter("format", "yuv420p")
    with media.atomic_path(out) as tmp:
        graph = ffmpeg.output(
            stream, str(tmp), format="mp4", vcodec="libx264", an=None,
            g=fps, keyint_min=fps, sc_threshold=0, flags="+cgop",
            colorspace="bt709", color_primaries="bt709", color_trc="bt709", color_range="tv",
            movflags="+faststart", **WEB_X264,
        )
        media.run_ffmpeg(graph, f"encoding the web clip {out.name}")


def make_thumbnail(poster: Path, out: Path, width: int = THUMB_WIDTH) -> tuple[int, int]:
    """A smaller copy of a poster for the catalog; returns its size."""
    info = media.probe(poster)
    w = min(width, info.width)
    h = round(info.height * w / info.width / 2) * 2
    with media.atomic_path(out) as tmp:
        graph = ffmpeg.input(str(poster)).filter("scale", w, h, flags="lanczos").output(
            str(tmp), vframes=1, format="image2", vcodec="png"
        )
        media.run_ffmpeg(graph, f"making the thumbnail {out.name}")
    return w, h


def beat_cues(beat: RenderedBeat) -> list[captions.Cue]:
    """The beat's cues exactly as in the topic's captions, shifted to start at 0 with its clip."""
    board_beat = Beat(beat.id, beat.title, beat.duration, beat.narration)
    return captions.shift(captions.beat_cues(board_beat, beat.start), -beat.start)


def beat_vtt(beat: RenderedBeat) -> str:
    """WebVTT file of one beat (the player's <track>)."""
    return captions.to_vtt(beat_cues(beat))


def cue_data(beat: RenderedBeat) -> list[list[float | str]]:
    """[start, end, VTT cue text] per cue: the player builds its track from these on file://,
    where Chromium refuses <track src> ('file:' URLs are unique origins)."""
    return [[c.start, c.end, captions.vtt_escape(c.text)] for c in beat_cues(beat)]
