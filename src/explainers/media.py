"""ffmpeg through ffmpeg-python: probe clips, join them without re-encoding, write files atomically."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import ffmpeg


class MediaError(Exception):
    """ffmpeg or ffprobe failed, or a clip is not what it should be."""


@dataclass(frozen=True)
class ClipInfo:
    """What ffprobe says about a video file."""

    duration: float
    width: int
    height: int
    fps: float
    frames: int | None
    codec: str


def probe(path: Path) -> ClipInfo:
    """Duration, size, frame rate and codec of the first video stream."""
    try:
        data = ffmpeg.probe(str(path))
    except ffmpeg.Error as exc:
        err = (exc.stderr or b"").decode(errors="replace").strip().splitlines()
        raise MediaError(
            f"{path}: unreadable video ({err[-1] if err else 'ffprobe failed'})"
        ) from exc
    video = next((s for s in data.get("streams", []) if s.get("codec_type") == "video"), None)
    if video is None:
        raise MediaError(f"{path}: no video stream")
    num, _, den = video.get("avg_frame_rate", "0/1").partition("/")
    fps = float(num) / float(den or 1) if float(den or 1) else 0.0
    duration = float(video.get("duration") or data.get("format", {}).get("duration") or 0.0)
    frames = int(video["nb_frames"]) if str(video.get("nb_frames", "")).isdigit() else None
    return ClipInfo(
        duration,
        int(video["width"]),
        int(video["height"]),
        fps,
        frames,
        video.get("codec_name", ""),
    )


def yuv_matrix(path: Path) -> str:
    """The YUV matrix a clip was encoded with: its tag, else BT.601 (Manim's and ffmpeg's default)."""
    try:
        streams = ffmpeg.probe(str(path)).get("streams", [])
    except ffmpeg.Error as exc:
        raise MediaError(f"{path}: unreadable video") from exc
    video = next((s for s in streams if s.get("codec_type") == "video"), {})
    return "bt709" if video.get("color_space") == "bt709" else "bt601"


def clip_ok(path: Path, seconds: float, fps: int, width: int, height: int) -> bool:
    """True when a clip is complete: readable, right size, and its length within one frame."""
    if not path.is_file() or path.stat().st_size == 0:
        return False
    try:
        info = probe(path)
    except MediaError:
        return False
    return (info.width, info.height) == (width, height) and abs(
        info.duration - seconds
    ) <= 1.01 / fps


@contextlib.contextmanager
def atomic_path(final: Path) -> Iterator[Path]:
    """A temporary sibling path that replaces `final` only if the block completes."""
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{final.stem}.", suffix=f".part{final.suffix}", dir=final.parent
    )
    os.close(fd)
    tmp_path = Path(tmp)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp_path, 0o666 & ~umask)  # mkstemp makes 0600; outputs are ordinary files
    try:
        yield tmp_path
        os.replace(tmp_path, final)
    finally:
        tmp_path.unlink(missing_ok=True)


def write_text_atomic(path: Path, text: str) -> None:
    """Write a text file so that readers never see half of it."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json_atomic(path: Path, data: object) -> None:
    """JSON, indented, written atomically."""
    write_text_atomic(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def run_ffmpeg(stream: ffmpeg.nodes.OutputStream, what: str) -> None:
    """Run an ffmpeg-python graph quietly; on failure raise with ffmpeg's last line."""
    try:
        stream.global_args("-hide_banner", "-nostdin", "-loglevel", "error").run(
            capture_stdout=True, capture_stderr=True, overwrite_output=True
        )
    except ffmpeg.Error as exc:
        err = (exc.stderr or b"").decode(errors="replace").strip().splitlines()
        raise MediaError(f"{what} failed: {err[-1] if err else 'ffmpeg error'}") from exc


def concat(clips: list[Path], out: Path) -> None:
    """Join clips with identical encoding into one file by stream copy (no re-encode)."""
    with atomic_path(out) as tmp:
        listing = tmp.with_suffix(".txt")
        lines = []
        for clip in clips:
            quoted = str(clip.resolve()).replace("'", "'\\''")
            lines.append(f"file '{quoted}'")
        listing.write_text("\n".join(lines) + "\n", encoding="utf-8")
        try:
            graph = ffmpeg.input(str(listing), format="concat", safe=0).output(
                str(tmp), c="copy", movflags="+faststart", format="mp4"
            )
            run_ffmpeg(graph, f"joining {len(clips)} clips into {out.name}")
        finally:
            listing.unlink(missing_ok=True)


def extract_frame(video: Path, out_png: Path, at: float | None = None) -> None:
    """Save one frame as PNG: the last one by default (posters, golden frames)."""
    with atomic_path(out_png) as tmp:
        if at is None:
            # -sseof seeks near the end; -update keeps overwriting so the very last frame stays.
            graph = ffmpeg.input(str(video), sseof=-0.5).output(
                str(tmp), update=1, format="image2", vcodec="png"
            )
        else:
            graph = ffmpeg.input(str(video), ss=at).output(
                str(tmp), vframes=1, format="image2", vcodec="png"
            )
        run_ffmpeg(graph, f"extracting a frame of {video.name}")
