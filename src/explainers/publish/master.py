"""The one H.264 encode every published video goes through (YouTube master, Shorts, colour tests).

YouTube's recommended upload settings, point by point (reference/publishing.md §1): H.264 High,
yuv420p, progressive, closed GOP of half the frame rate, 2 consecutive B-frames, CABAC, CRF
(variable bitrate, no cap), moov atom first, no edit list, AAC-LC 48 kHz stereo, BT.709.

Colour: Manim converts RGB to YUV with the BT.601 matrix and tags nothing, while players decode
HD as BT.709, so pure red comes out with Y=81 where BT.709 wants 63. We convert the matrix once
here (the source's own tag decides the input matrix; untagged means Manim's BT.601) and tag all
four colour fields, so every player decodes the colours Manim drew.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import ffmpeg

from explainers import media

AUDIO_RATE = 48_000
AUDIO_BITRATE = "384k"  # YouTube's stereo figure; silence costs almost nothing at any rate
AAC_FRAME = 1024  # samples per AAC frame; the encoder adds one frame of priming in front
B_FRAMES = 2


@dataclass(frozen=True)
class Encoding:
    """x264 speed/quality knobs; everything YouTube asks for is fixed and not a knob."""

    preset: str = "slow"
    crf: int = 16


DEFAULT = Encoding()


def gop_size(fps: float) -> int:
    """Half the frame rate, in frames (YouTube: closed GOP of half the frame rate)."""
    return max(1, round(fps / 2))


def audio_samples(duration: float) -> int:
    """Samples to feed the AAC encoder so that, priming included, the track ends at or just
    before `duration` (never after it: without an edit list the priming is not hidden)."""
    frames = int(duration * AUDIO_RATE // AAC_FRAME)
    return max(1, frames - 1) * AAC_FRAME


def to_bt709(stream: ffmpeg.nodes.FilterableStream, matrix: str = "bt601") -> ffmpeg.nodes.FilterableStream:
    """Convert to BT.709 limited-range yuv420p (the input matrix only matters for YUV sources)."""
    # accurate_rnd: without it swscale's fast path loses a code value (white 235 -> 234).
    return stream.filter(
        "scale", in_color_matrix=matrix, out_color_matrix="bt709", out_range="tv",
        flags="accurate_rnd+full_chroma_int",
    ).filter("format", "yuv420p")


def encode(
    video: ffmpeg.nodes.FilterableStream,
    out: Path,
    *,
    fps: float,
    duration: float,
    matrix: str = "bt601",
    audio: Path | None = None,
    encoding: Encoding = DEFAULT,
    what: str = "encoding",
) -> None:
    """Encode a video stream (any pixel format, at `fps`) with YouTube's settings to `out`, atomically.

    `audio` is an optional narration track; without it a silent AAC track is muxed, since
    YouTube's behaviour for video without audio is undocumented.
    """
    gop = gop_size(fps)
    if audio is not None:
        sound = ffmpeg.input(str(audio)).audio.filter("aresample", AUDIO_RATE).filter("apad")
    else:
        sound = ffmpeg.input(f"anullsrc=r={AUDIO_RATE}:cl=stereo", f="lavfi").audio
    sound = sound.filter("atrim", end_sample=audio_samples(duration))
    with media.atomic_path(out) as tmp:
        graph = ffmpeg.output(
            to_bt709(video, matrix),
            sound,
            str(tmp),
            format="mp4",
            t=f"{duration:.6f}",
            vcodec="libx264",
            preset=encoding.preset,
            crf=encoding.crf,
            tune="animation",
            pix_fmt="yuv420p",
            **{"profile:v": "high"},
            g=gop,
            sc_threshold=0,  # a keyframe exactly every `gop` frames, none in between
            bf=B_FRAMES,
            flags="+cgop",
            coder=1,  # CABAC
            colorspace="bt709",
            color_primaries="bt709",
            color_trc="bt709",
            color_range="tv",
            acodec="aac",
            **{"profile:a": "aac_low", "b:a": AUDIO_BITRATE},
            ar=AUDIO_RATE,
            ac=2,
            # moov first; no edit list (YouTube: "No Edit Lists"), so the B-frame reorder delay
            # goes into negative composition offsets instead and the first frame is at 0.
            movflags="+faststart+negative_cts_offsets",
            use_editlist=0,
        )
        media.run_ffmpeg(graph, what)


def encode_master(source: Path, out: Path, *, fps: float, duration: float,
                  audio: Path | None = None, encoding: Encoding = DEFAULT) -> None:
    """The YouTube master: the rendered video re-encoded at its own size and frame rate."""
    stream = ffmpeg.input(str(source)).video
    encode(stream, out, fps=fps, duration=duration, matrix=media.yuv_matrix(source), audio=audio,
           encoding=encoding, what=f"encoding the YouTube master {out.name}")
