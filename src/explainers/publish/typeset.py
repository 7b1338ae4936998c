"""Text on still images (thumbnail, Shorts title and captions): fonts, pixel wrapping, fitting."""

from __future__ import annotations

import functools
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageColor, ImageDraw, ImageFont

from explainers.kit import theme

# fontconfig patterns, best first: Inter Display is Inter drawn for large sizes.
HEADING = ("Inter Display:bold", "Inter:bold")
BODY = ("Inter:semibold", "Inter:medium", "Inter")


@functools.cache
def font_file(patterns: tuple[str, ...]) -> str | None:
    """The first pattern fontconfig resolves to an Inter file (fc-match always answers something)."""
    if shutil.which("fc-match") is None:
        return None
    for pattern in patterns:
        try:
            out = subprocess.run(["fc-match", "-f", "%{file}", pattern], capture_output=True,
                                 text=True, timeout=10, check=False).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return None
        if out and "inter" in Path(out).name.lower():
            return out
    return None


def font(patterns: tuple[str, ...], size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Inter at `size` px; Pillow's own scalable font when Inter is not installed."""
    path = font_file(patterns)
    if path:
        return ImageFont.truetype(path, size)
    return ImageFont.load_default(size)


def rgba(colour: str, alpha: int = 255) -> tuple[int, int, int, int]:
    """A palette colour with alpha."""
    r, g, b = ImageColor.getrgb(colour)[:3]
    return r, g, b, alpha


def wrap_px(text: str, face: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: float) -> list[str]:
    """Greedy word wrap by measured width; a single word wider than the line stays whole."""
    lines: list[str] = []
    for word in text.split():
        if lines and face.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def balance(text: str, face: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: float,
            count: int) -> list[str]:
    """The same number of lines as greedy wrapping at `width`, as even in length as possible
    (no one-word last line): the narrowest width that still needs no more lines."""
    lo, hi = 1.0, float(width)
    while hi - lo > 1:
        mid = (lo + hi) / 2
        if len(wrap_px(text, face, mid)) <= count:
            hi = mid
        else:
            lo = mid
    return wrap_px(text, face, hi)


@dataclass(frozen=True)
class Block:
    """Lines of text set in one face, with the pixel size used."""

    lines: tuple[str, ...]
    face: ImageFont.FreeTypeFont | ImageFont.ImageFont
    size: int
    leading: float

    @property
    def line_height(self) -> int:
        return round(self.size * self.leading)

    @property
    def height(self) -> int:
        return self.line_height * len(self.lines)

    def width(self) -> float:
        return max((self.face.getlength(line) for line in self.lines), default=0.0)


def fit(text: str, patterns: tuple[str, ...], width: float, max_lines: int, sizes: range,
        leading: float = 1.12) -> Block:
    """The largest size (from `sizes`, largest first) at which `text` wraps into `max_lines`,
    with no word wider than the line, lines balanced; the smallest size otherwise, its lines cut
    with an ellipsis."""
    block = None
    for size in sizes:
        face = font(patterns, size)
        lines = wrap_px(text, face, width)
        block = Block(tuple(lines), face, size, leading)
        if len(lines) <= max_lines and block.width() <= width:
            return Block(tuple(balance(text, face, width, len(lines))), face, size, leading)
    assert block is not None, "empty size range"
    lines = list(block.lines[:max_lines])
    while lines and block.face.getlength(lines[-1] + "…") > width and " " in lines[-1]:
        lines[-1] = lines[-1].rsplit(" ", 1)[0]
    lines[-1] += "…"
    return Block(tuple(lines), block.face, block.size, leading)


def draw_block(draw: ImageDraw.ImageDraw, block: Block, x: float, top: float, fill: str,
               align: str = "left", box_width: float = 0.0, shadow: int = 0) -> None:
    """Draw lines from `top`; `align="center"` centres each line in `box_width` from `x`.

    Lines are placed by their ascender ("la" anchor), so the block height is predictable.
    """
    for i, line in enumerate(block.lines):
        lx = x + (box_width - block.face.getlength(line)) / 2 if align == "center" else x
        y = top + i * block.line_height
        if shadow:
            draw.text((lx, y + shadow), line, font=block.face, fill=rgba(theme.BG, 200), anchor="la")
        draw.text((lx, y), line, font=block.face, fill=fill, anchor="la")


def new_canvas(width: int, height: int, colour: str = theme.BG, alpha: int = 255) -> Image.Image:
    """An RGBA image filled with a palette colour."""
    return Image.new("RGBA", (width, height), rgba(colour, alpha))
