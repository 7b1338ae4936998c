"""YouTube's recommended upload settings checked on the written file, one named check per point.

Reads what a decoder would see (ffprobe), the MP4 box layout (moov before mdat, no edit list)
and the x264 settings string the encoder stores in the stream (CABAC, B-frames, closed GOP).
"""

from __future__ import annotations

import itertools
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import ffmpeg
import numpy as np

from explainers.media import MediaError
from explainers.publish.master import AUDIO_RATE, B_FRAMES, gop_size

CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"udta", b"dinf"}


@dataclass(frozen=True)
class Check:
    """One recommended setting: its name, whether the file meets it, and what was found."""

    name: str
    ok: bool
    found: str

    def __str__(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'} {self.name}: {self.found}"


def boxes(path: Path, start: int = 0, end: int | None = None, depth: int = 0) -> Iterator[tuple[int, bytes, int, int]]:
    """(depth, type, offset, size) of every MP4 box, descending into the container boxes."""
    with path.open("rb") as fh:
        size_total = fh.seek(0, 2) if end is None else end
        pos = start
        while pos + 8 <= size_total:
            fh.seek(pos)
            size, kind = struct.unpack(">I4s", fh.read(8))
            header = 8
            if size == 1:
                size = struct.unpack(">Q", fh.read(8))[0]
                header = 16
            elif size == 0:
                size = size_total - pos
            if size < header:
                raise MediaError(f"{path}: corrupt MP4 box at byte {pos}")
            yield depth, kind, pos, size
            if kind in CONTAINERS:
                yield from boxes(path, pos + header, pos + size, depth + 1)
            pos += size


def x264_settings(path: Path) -> dict[str, str]:
    """The `x264 - core ... options: a=b c=d` string x264 writes into the first frame, parsed."""
    mdat = next(((off, size) for d, kind, off, size in boxes(path) if d == 0 and kind == b"mdat"), None)
    if mdat is None:
        return {}
    with path.open("rb") as fh:
        fh.seek(mdat[0])
        head = fh.read(min(mdat[1], 1 << 16))
    found = re.search(rb"x264 - core [^\x00]*?options: ([^\x00]*)", head)
    if not found:
        return {}
    return dict(item.split("=", 1) for item in found.group(1).decode(errors="replace").split() if "=" in item)


def keyframe_gaps(path: Path) -> list[int]:
    """Frame counts between consecutive keyframes (packet flags, no decoding)."""
    try:
        data = ffmpeg.probe(str(path), select_streams="v:0", show_entries="packet=flags")
    except ffmpeg.Error as exc:
        raise MediaError(f"{path}: unreadable video") from exc
    keys = [i for i, p in enumerate(data.get("packets", [])) if "K" in p.get("flags", "")]
    return [b - a for a, b in itertools.pairwise(keys)]


def check_video(path: Path, *, width: int, height: int, fps: float, duration: float) -> list[Check]:
    """Every recommended setting, checked on the written file (the last GOP may be shorter)."""
    try:
        info = ffmpeg.probe(str(path))
    except ffmpeg.Error as exc:
        raise MediaError(f"{path}: unreadable video") from exc
    streams = info.get("streams", [])
    v = next((s for s in streams if s.get("codec_type") == "video"), {})
    a = next((s for s in streams if s.get("codec_type") == "audio"), {})
    fmt = info.get("format", {})
    top = [kind for d, kind, _, _ in boxes(path) if d == 0]
    all_kinds = {kind for _, kind, _, _ in boxes(path)}
    x264 = x264_settings(path)
    gop = gop_size(fps)
    gaps = keyframe_gaps(path)
    num, _, den = str(v.get("avg_frame_rate", "0/1")).partition("/")
    got_fps = float(num) / float(den) if float(den or 0) else 0.0
    got_duration = float(fmt.get("duration", 0.0))
    colour = [v.get(k) for k in ("color_space", "color_primaries", "color_transfer", "color_range")]

    def c(name: str, ok: bool, found: object) -> Check:
        return Check(name, bool(ok), str(found))

    return [
        c("container MP4", "mp4" in fmt.get("format_name", ""), fmt.get("format_name")),
        c("moov atom before mdat (fast start)",
          b"moov" in top and b"mdat" in top and top.index(b"moov") < top.index(b"mdat"),
          " ".join(k.decode(errors="replace") for k in top)),
        c("no edit list", b"elst" not in all_kinds, "elst present" if b"elst" in all_kinds else "none"),
        c("video H.264", v.get("codec_name") == "h264", v.get("codec_name")),
        c("High profile", v.get("profile") == "High", v.get("profile")),
        c("4:2:0 (yuv420p)", v.get("pix_fmt") == "yuv420p", v.get("pix_fmt")),
        c("progressive", v.get("field_order", "progressive") == "progressive", v.get("field_order")),
        c("BT.709 tagged (matrix, primaries, transfer, tv range)",
          colour == ["bt709", "bt709", "bt709", "tv"], "/".join(map(str, colour))),
        c("frame size", (v.get("width"), v.get("height")) == (width, height),
          f"{v.get('width')}x{v.get('height')}"),
        c("source frame rate", abs(got_fps - fps) < 0.01, f"{got_fps:g} fps"),
        c("CABAC", x264.get("cabac") == "1", f"cabac={x264.get('cabac')}"),
        c("2 consecutive B-frames", x264.get("bframes") == str(B_FRAMES), f"bframes={x264.get('bframes')}"),
        c("closed GOP", x264.get("open_gop") == "0", f"open_gop={x264.get('open_gop')}"),
        c("GOP of half the frame rate",
          x264.get("keyint") == str(gop) and bool(gaps) and all(g == gop for g in gaps),
          f"keyint={x264.get('keyint')}, keyframe gaps {sorted(set(gaps))} (want {gop})"),
        c("variable bitrate, no cap (CRF)", x264.get("rc") == "crf" and x264.get("vbv_maxrate") in (None, "0"),
          f"rc={x264.get('rc')}"),
        c("audio AAC-LC", a.get("codec_name") == "aac" and a.get("profile") == "LC",
          f"{a.get('codec_name')} {a.get('profile')}"),
        c("audio 48 kHz stereo", a.get("sample_rate") == str(AUDIO_RATE) and a.get("channels") == 2,
          f"{a.get('sample_rate')} Hz, {a.get('channels')} ch"),
        c("starts at 0", float(v.get("start_time", -1)) == 0.0, f"video start {v.get('start_time')}"),
        c("duration within one frame", abs(got_duration - duration) <= 1.0 / fps + 1e-6,
          f"{got_duration:.3f} s (want {duration:g} s)"),
    ]


def frame_rgb(path: Path, at: float = 0.0, matrix: str = "bt709") -> np.ndarray:
    """One decoded frame as an RGB array (H, W, 3), converted from YUV with the given matrix
    whatever the file is tagged with: how a player that assumes `matrix` would show it."""
    info = ffmpeg.probe(str(path), select_streams="v:0")["streams"][0]
    width, height = int(info["width"]), int(info["height"])
    graph = (
        ffmpeg.input(str(path), ss=f"{at:.3f}")
        .video.filter("scale", in_color_matrix=matrix, in_range="tv", out_range="pc")
        .output("pipe:", vframes=1, format="rawvideo", pix_fmt="rgb24")
        .global_args("-hide_banner", "-nostdin", "-loglevel", "error")
    )
    try:
        raw, _ = graph.run(capture_stdout=True, capture_stderr=True)
    except ffmpeg.Error as exc:
        raise MediaError(f"{path}: cannot decode a frame at {at} s") from exc
    return np.frombuffer(raw, np.uint8).reshape(height, width, 3)
