"""thumbnail.jpg: the title set large over the last frame of a chosen beat, 1280x720, under 2 MB.

The beat comes from the storyboard (`thumbnail = "beat_id"`, `thumbnail_beat` in the manifest).
Without one we take the beat whose last frame carries the most drawing: STYLE.md makes every
beat's end state a good still, and the fullest one says most about the topic at 320 px. The
first beat is skipped when there are others, since it shows the topic title we set anyway.
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageOps

from explainers import media
from explainers.kit import theme
from explainers.publish import typeset

SIZE = (1280, 720)
MAX_BYTES = 2 * 1024 * 1024  # thumbnails.set and the Help Centre: under 2 MB
MARGIN = 64
# The frame moves up by its header row: the beat heading and indicator end near 13 % of the
# height and content starts below LAYOUT.content_top (17.5 %); 14 % drops one, keeps the other.
SHIFT = 0.14
TITLE_SIZES = range(128, 71, -4)  # px at 1280 wide; 72 px is 18 px on a 320 px wide preview


@dataclass(frozen=True)
class Thumbnail:
    """What was drawn: the beat used and how the title was set."""

    beat: str
    reason: str
    font_px: int
    lines: tuple[str, ...]
    bytes: int


def ink(frame: Path) -> float:
    """Share of the frame (header row and caption band excluded) that is not background."""
    with Image.open(frame) as im:
        small = im.convert("RGB").resize((160, 90), Image.Resampling.BOX)
    bg = typeset.rgba(theme.BG)[:3]
    rows = range(16, 76)  # below LAYOUT.content_top (17.5 %), above the caption band (85 %)
    pixels = small.load()
    count = sum(
        1 for y in rows for x in range(160)
        if sum(abs(c - b) for c, b in zip(pixels[x, y], bg)) > 48
    )
    return count / (len(rows) * 160)


def choose_beat(manifest: dict, source_dir: Path, work: Path) -> tuple[str, str, Path]:
    """(beat id, why, its last frame as PNG) for the thumbnail."""
    beats = manifest["beats"]
    named = manifest.get("thumbnail_beat")
    by_id = {b["id"]: b for b in beats}
    if named and named in by_id:
        frame = work / f"{named}.png"
        media.extract_frame(source_dir / by_id[named]["file"], frame)
        return named, "named in the storyboard", frame
    candidates = beats[1:] if len(beats) > 1 else beats
    scored = []
    for beat in candidates:
        frame = work / f"{beat['id']}.png"
        media.extract_frame(source_dir / beat["file"], frame)
        scored.append((ink(frame), beat["id"], frame))
    best = max(scored, key=lambda s: s[0])
    return best[1], f"fullest last frame of {len(scored)} (set `thumbnail` in the storyboard to choose)", best[2]


def title_block(title: str) -> typeset.Block:
    """One line when it fits at 88 px or more (more of the picture stays clear), else two lines,
    three only for titles too long for two at 88 px. 88 px is 22 px on a 320 px wide preview."""
    width = SIZE[0] - 2 * MARGIN
    for lines in (1, 2):
        block = typeset.fit(title, typeset.HEADING, width, lines, range(TITLE_SIZES.start, 87, -4),
                            leading=1.08)
        if len(block.lines) <= lines and not block.lines[-1].endswith("…"):
            return block
    return typeset.fit(title, typeset.HEADING, width, 3, TITLE_SIZES, leading=1.08)


def draw(frame: Path, title: str) -> tuple[Image.Image, typeset.Block]:
    """The thumbnail: the frame moved up by its header row, a dark scrim, the title bottom-left.

    The frame's top row (topic title, beat indicator) is noise at thumbnail size, and its bottom
    caption band is empty: shifting it up gives the title room without covering the drawing.
    """
    width, height = SIZE
    with Image.open(frame) as im:
        scaled = ImageOps.fit(im.convert("RGB"), SIZE, Image.Resampling.LANCZOS)
    base = typeset.new_canvas(width, height)
    base.paste(scaled, (0, -round(height * SHIFT)))
    block = title_block(title)
    top = height - MARGIN - block.height
    # Scrim: transparent well above the title, near-opaque background colour behind it.
    scrim = Image.new("RGBA", SIZE, (0, 0, 0, 0))
    fade_from = max(0, top - 150)
    sd = ImageDraw.Draw(scrim)
    r, g, b, _ = typeset.rgba(theme.BG)
    for y in range(fade_from, height):
        t = min(1.0, (y - fade_from) / max(1, top - 10 - fade_from))
        sd.line([(0, y), (width, y)], fill=(r, g, b, round(235 * t * t * (3 - 2 * t))))
    image = Image.alpha_composite(base, scrim)
    d = ImageDraw.Draw(image)
    d.rectangle([MARGIN, top - 34, MARGIN + 120, top - 24], fill=typeset.rgba(theme.BLUE))
    typeset.draw_block(d, block, MARGIN, top, fill=typeset.rgba(theme.INK), shadow=3)
    return image.convert("RGB"), block


def write(frame: Path, title: str, out: Path) -> tuple[typeset.Block, int]:
    """Save as JPEG under 2 MB (quality lowered only if needed); returns the block and size."""
    image, block = draw(frame, title)
    for quality in (92, 85, 75, 60):
        buf = io.BytesIO()
        image.save(buf, "JPEG", quality=quality, optimize=True, progressive=True)
        if buf.tell() < MAX_BYTES:
            with media.atomic_path(out) as tmp:
                tmp.write_bytes(buf.getvalue())
            return block, buf.tell()
    raise media.MediaError(f"{out.name}: cannot get the thumbnail under 2 MB")


def make(manifest: dict, source_dir: Path, out: Path) -> Thumbnail:
    """Choose the beat, draw the title over its last frame, write `out`."""
    with tempfile.TemporaryDirectory(prefix="thumb-") as tmp:
        beat, reason, frame = choose_beat(manifest, source_dir, Path(tmp))
        block, size = write(frame, manifest["title"], out)
    return Thumbnail(beat, reason, block.size, block.lines, size)
