"""<topic>.shorts.mp4: the 16:9 video in a 1080x1920 frame, title above, captions burned in below.

YouTube files a vertical video of at most 180 s as a Short (reference/publishing.md §6), so a
longer topic is cut at the last beat that ends within 180 s. Layout keeps clear of the Shorts
player's own overlays: nothing in the top ~9 % (search, camera) or the bottom ~17 % (channel,
description, buttons). The picture is composed in RGB (title and captions are Pillow images, the
video is converted with its own matrix) and then goes through the master's BT.709 encode.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import ffmpeg
from PIL import Image, ImageDraw

from explainers import media
from explainers.captions import Cue, beat_cues
from explainers.kit import theme
from explainers.publish import typeset
from explainers.publish.master import DEFAULT, Encoding, encode
from explainers.storyboard import Beat

WIDTH, HEIGHT = 1080, 1920
MAX_SECONDS = 180.0
SIDE = 72  # title margin left and right
CAPTION_SIDE = 110  # captions stay clear of the Shorts buttons down the right edge
GAP = 56  # between the title and the video
CAPTION_LINES = 3
TITLE_LINES = 3


@dataclass(frozen=True)
class Layout:
    """Where things go for a source of a given aspect ratio (pixels of the 1080x1920 frame)."""

    video_top: int
    video_height: int

    @property
    def video_bottom(self) -> int:
        return self.video_top + self.video_height

    @property
    def caption_top(self) -> int:
        """Just below the video: its own bottom band is kept empty for captions (15 %)."""
        return self.video_bottom + 8

    @classmethod
    def for_source(cls, width: int, height: int) -> Layout:
        """The video full width, centred vertically (even height for 4:2:0)."""
        video_height = round(WIDTH * height / width / 2) * 2
        return cls((HEIGHT - video_height) // 2, video_height)


def span(beats: list[dict], duration: float, limit: float = MAX_SECONDS) -> float:
    """Seconds of the topic that go in the Short: all of it, or whole beats up to `limit`."""
    if duration <= limit:
        return duration
    end = 0.0
    for beat in beats:
        beat_end = float(beat["start"]) + float(beat["duration"])
        if beat_end > limit:
            break
        end = beat_end
    return end or limit


def cues(beats: list[dict], end: float) -> list[Cue]:
    """The same cues as the SRT (same code, same timing), up to `end`."""
    out: list[Cue] = []
    for b in beats:
        beat = Beat(b["id"], b["title"], float(b["duration"]), b.get("narration", ""))
        out.extend(c for c in beat_cues(beat, float(b["start"])) if c.start < end)
    return [Cue(c.start, min(c.end, end), c.lines) for c in out]


def canvas(title: str, layout: Layout) -> Image.Image:
    """The still background: palette background, accent bar and the title above the video."""
    image = typeset.new_canvas(WIDTH, HEIGHT)
    block = typeset.fit(title, typeset.HEADING, WIDTH - 2 * SIDE, TITLE_LINES, range(96, 55, -4),
                        leading=1.1)
    top = layout.video_top - GAP - block.height
    d = ImageDraw.Draw(image)
    d.rectangle([SIDE, top - 40, SIDE + 120, top - 30], fill=typeset.rgba(theme.BLUE))
    typeset.draw_block(d, block, SIDE, top, fill=typeset.rgba(theme.INK))
    return image


def caption_image(text: str) -> Image.Image:
    """One cue as a transparent strip the width of the frame, lines centred."""
    width = WIDTH - 2 * CAPTION_SIDE
    block = typeset.fit(text, typeset.BODY, width, CAPTION_LINES, range(60, 39, -2), leading=1.25)
    image = Image.new("RGBA", (WIDTH, block.height + 16), (0, 0, 0, 0))
    typeset.draw_block(ImageDraw.Draw(image), block, CAPTION_SIDE, 0, fill=typeset.rgba(theme.INK),
                       align="center", box_width=width)
    return image


def make(manifest: dict, source_dir: Path, out: Path, *, encoding: Encoding = DEFAULT,
         audio: Path | None = None) -> float:
    """Write the Short; returns its length in seconds."""
    fps = float(manifest["fps"])
    end = span(manifest["beats"], float(manifest["duration"]))
    layout = Layout.for_source(int(manifest["width"]), int(manifest["height"]))
    source = source_dir / manifest["video"]
    with tempfile.TemporaryDirectory(prefix="shorts-") as tmp:
        work = Path(tmp)
        background = work / "canvas.png"
        canvas(manifest["title"], layout).save(background)
        picture = (
            ffmpeg.input(str(source), t=f"{end:.6f}").video
            .filter("scale", WIDTH, layout.video_height, flags="lanczos+accurate_rnd+full_chroma_int",
                    in_color_matrix=media.yuv_matrix(source))
            .filter("format", "gbrp")
        )
        frame = ffmpeg.input(str(background), loop=1, framerate=fps, t=f"{end:.6f}").video
        frame = ffmpeg.overlay(frame.filter("format", "gbrp"), picture, x=0, y=layout.video_top,
                               format="gbrp", eval="init")
        for i, cue in enumerate(cues(manifest["beats"], end)):
            strip = work / f"cue{i:03d}.png"
            caption_image(" ".join(cue.lines)).save(strip)
            frame = ffmpeg.overlay(frame, ffmpeg.input(str(strip)).video, x=0, y=layout.caption_top,
                                   format="gbrp", eval="init",
                                   enable=f"between(t,{cue.start:.3f},{cue.end:.3f})")
        encode(frame, out, fps=fps, duration=end, audio=audio, encoding=encoding,
               what=f"encoding the Short {out.name}")
    return end
