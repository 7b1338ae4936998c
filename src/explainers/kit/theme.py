"""The series look in one place: palette with one meaning per colour, type, layout, timing."""

from __future__ import annotations

from dataclasses import dataclass

# Palette (STYLE.md). Each accent has one meaning across every topic.
BG = "#0E1116"
INK = "#E6EDF3"
MUTED = "#8B949E"
LINE = "#30363D"
BLUE = "#58A6FF"  # normal / follower / idle
AMBER = "#F2B84B"  # in progress / candidate / waiting
GREEN = "#3FB950"  # success / leader / committed / accepted
RED = "#F85149"  # failure / rejected / crashed
VIOLET = "#BC8CFF"  # data in flight / messages
GREY = MUTED  # inactive
PANEL = "#161B22"  # fill behind nodes and cells

FONT = "Inter"
MONO = "JetBrains Mono"

# Manim's font_size is not pixels: at 1080p a font_size of 1 is 1.875 px of em height.
PX_PER_FONT_SIZE = 1080 / 8 / 72


def font_size(px: float) -> float:
    """Manim font_size giving text of `px` pixels (em) at 1080p."""
    return px / PX_PER_FONT_SIZE


@dataclass(frozen=True)
class TypeScale:
    """Text sizes in pixels at 1080p; nothing below `small` (STYLE.md: >= 24 px)."""

    small: float = 30
    label: float = 36
    body: float = 44
    heading: float = 64
    title: float = 80


TYPE = TypeScale()


@dataclass(frozen=True)
class Layout:
    """Manim-unit boundaries of the 14.22 x 8 frame: margins, header row and caption band."""

    frame_width: float = 14.222
    frame_height: float = 8.0
    margin: float = 0.6
    caption_band: float = 1.2  # bottom 15% of the height stays empty for captions

    @property
    def left(self) -> float:
        return -self.frame_width / 2 + self.margin

    @property
    def right(self) -> float:
        return self.frame_width / 2 - self.margin

    @property
    def top(self) -> float:
        return self.frame_height / 2 - self.margin * 0.75

    @property
    def caption_top(self) -> float:
        """Highest y of the caption band: content stays above it."""
        return -self.frame_height / 2 + self.caption_band

    @property
    def content_top(self) -> float:
        """Below the header row (heading and beat indicator)."""
        return self.top - 0.95


LAYOUT = Layout()


@dataclass(frozen=True)
class Timing:
    """Seconds for the common motions (STYLE.md: 0.3-0.8 s, hold ~1 s)."""

    fast: float = 0.4
    normal: float = 0.7
    message: float = 0.9
    hold: float = 1.0


TIMING = Timing()
