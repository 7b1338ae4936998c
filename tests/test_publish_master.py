"""Colour through the master encode: known colours come back when decoded as BT.709.

Manim's own MP4 uses the BT.601 matrix and no tags, so a BT.709 player shifts its colours
(pure red: Y=81 where BT.709 wants 63). The same `master.encode` that writes the YouTube master
and the Short must fix that, for Manim's MP4 and for RGB sources.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import ffmpeg
import numpy as np
import pytest
from PIL import Image

from explainers.kit import theme
from explainers.publish import checks, master

FAST = master.Encoding(preset="veryfast")
TOLERANCE = 4  # 8-bit limited-range round trip with 4:2:0 chroma, at the centre of a bar

SCENE = '''
from manim import Rectangle, Scene, config

class Bars(Scene):
    def construct(self):
        self.camera.background_color = "#FF0000"
        w = config.frame_width
        for i, colour in enumerate(["#00FF00", "#0000FF", "#FFFFFF"]):
            bar = Rectangle(width=w / 4, height=config.frame_height, fill_color=colour,
                            fill_opacity=1, stroke_width=0)
            bar.move_to([-w / 2 + w / 8 + (i + 1) * w / 4, 0, 0])
            self.add(bar)
        self.wait(0.5)
'''
# Bar centres at 256 px wide: red, green, blue, white.
BARS = {"red": (32, (255, 0, 0)), "green": (96, (0, 255, 0)), "blue": (160, (0, 0, 255)),
        "white": (224, (255, 255, 255))}


def luma(path: Path, x: int, y: int) -> int:
    """The stored Y value of a pixel of the first frame (no colour conversion at all)."""
    raw, _ = (ffmpeg.input(str(path)).output("pipe:", vframes=1, format="rawvideo", pix_fmt="yuv420p")
              .global_args("-loglevel", "error").run(capture_stdout=True))
    info = ffmpeg.probe(str(path), select_streams="v:0")["streams"][0]
    width, height = int(info["width"]), int(info["height"])
    return int(np.frombuffer(raw, np.uint8)[: width * height].reshape(height, width)[y, x])


@pytest.fixture(scope="module")
def manim_bars(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Plain Manim (its own writer) renders pure red, green, blue and white bars, 256x144@10."""
    work = tmp_path_factory.mktemp("bars")
    (work / "bars.py").write_text(SCENE, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "manim", "render", "-r", "256,144", "--fps", "10", "--media_dir",
         str(work / "media"), "--disable_caching", "-v", "ERROR", str(work / "bars.py"), "Bars"],
        capture_output=True, text=True, timeout=300, cwd=work, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return next((work / "media").rglob("Bars.mp4"))


def test_manim_output_is_bt601_and_untagged(manim_bars: Path) -> None:
    stream = ffmpeg.probe(str(manim_bars), select_streams="v:0")["streams"][0]
    assert stream.get("color_space") in (None, "unknown")
    assert luma(manim_bars, 32, 72) == pytest.approx(81, abs=1)  # BT.601 red; BT.709 wants 63
    as709 = checks.frame_rgb(manim_bars, 0.1, "bt709")
    worst = max(int(np.abs(as709[72, x].astype(int) - want).max()) for x, want in BARS.values())
    assert worst > 20, "a BT.709 player shows Manim's colours shifted (red gets G~24, green loses ~40)"


def test_master_converts_manim_output_to_bt709(manim_bars: Path, tmp_path: Path) -> None:
    out = tmp_path / "bars.youtube.mp4"
    master.encode_master(manim_bars, out, fps=10, duration=0.5, encoding=FAST)
    assert luma(out, 32, 72) == pytest.approx(63, abs=1)
    decoded = checks.frame_rgb(out, 0.1, "bt709")
    for name, (x, want) in BARS.items():
        got = decoded[72, x].astype(int)
        assert np.abs(got - want).max() <= TOLERANCE, f"{name}: {got.tolist()} != {want}"
    stream = ffmpeg.probe(str(out), select_streams="v:0")["streams"][0]
    assert [stream[k] for k in ("color_space", "color_primaries", "color_transfer", "color_range")] \
        == ["bt709", "bt709", "bt709", "tv"]


def test_rgb_source_through_the_same_encode(tmp_path: Path) -> None:
    """A still of palette colours (RGB, no matrix involved) keeps its values through `encode`."""
    colours = [theme.BG, theme.INK, theme.BLUE, theme.AMBER, theme.GREEN, theme.RED, theme.VIOLET,
               "#FF0000"]
    still = Image.new("RGB", (64 * len(colours), 64))
    for i, c in enumerate(colours):
        still.paste(Image.new("RGB", (64, 64), c), (64 * i, 0))
    png = tmp_path / "palette.png"
    still.save(png)
    out = tmp_path / "palette.mp4"
    master.encode(ffmpeg.input(str(png), loop=1, framerate=10, t=1).video, out, fps=10,
                  duration=1.0, encoding=FAST)
    decoded = checks.frame_rgb(out, 0.5, "bt709")
    for i, c in enumerate(colours):
        want = np.array(Image.new("RGB", (1, 1), c).getpixel((0, 0)))
        got = decoded[32, 64 * i + 32].astype(int)
        assert np.abs(got - want).max() <= TOLERANCE, f"{c}: {got.tolist()}"
    found = checks.check_video(out, width=512, height=64, fps=10, duration=1.0)
    assert all(c.ok for c in found), [str(c) for c in found if not c.ok]


@pytest.mark.parametrize(("fps", "gop"), [(60, 30), (30, 15), (24, 12), (15, 8), (10, 5)])
def test_gop_is_half_the_frame_rate(fps: int, gop: int) -> None:
    assert master.gop_size(fps) == gop


def test_audio_never_outlasts_the_video() -> None:
    for duration in (0.5, 6.5, 100.0, 101.37):
        samples = master.audio_samples(duration)
        encoded = samples + master.AAC_FRAME  # plus the encoder's priming frame
        assert encoded / master.AUDIO_RATE <= duration
        assert duration - encoded / master.AUDIO_RATE < 2 * master.AAC_FRAME / master.AUDIO_RATE


def test_checks_flag_manims_own_file(manim_bars: Path) -> None:
    """The checker is not a rubber stamp: Manim's MP4 fails the points the master fixes."""
    failed = {c.name for c in checks.check_video(manim_bars, width=256, height=144, fps=10,
                                                  duration=0.5) if not c.ok}
    assert {"moov atom before mdat (fast start)", "no edit list",
            "BT.709 tagged (matrix, primaries, transfer, tv range)", "GOP of half the frame rate",
            "audio AAC-LC"} <= failed
