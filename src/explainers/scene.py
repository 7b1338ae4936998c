"""ExplainerScene: runs a storyboard's beats as Manim sections, each exactly its seconds, with the series chrome."""

from __future__ import annotations

import inspect
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from manim import Mobject, Scene, VGroup, config
from manim.renderer.cairo_renderer import CairoRenderer
from manim.utils.exceptions import EndSceneEarlyException

from explainers.encoding import HoldFileWriter
from explainers.kit.text import text
from explainers.kit.theme import BG, INK, LAYOUT, MUTED, TYPE
from explainers.plan import CELLS, WHOLE, parse_piece
from explainers.storyboard import Beat, Storyboard, load

# Beats a render worker should draw, as pieces (`id` or `id@lo-hi`, see plan.py); the others
# are fast-forwarded (no frames drawn).
ONLY_BEATS_ENV = "EXPLAINERS_ONLY_BEATS"
# When set, every beat is fast-forwarded and its last frame saved as NN-<id>.png in this folder.
FRAMES_DIR_ENV = "EXPLAINERS_FRAMES_DIR"


class BeatOverrun(Exception):
    """A beat's animations last longer than its storyboard seconds."""


class BeatFailed(Exception):
    """A beat method raised; the message names the beat."""


class PartDone(EndSceneEarlyException):
    """The part of a beat this worker draws has ended (Manim then finishes the file normally)."""


def part_window(target_frames: int, part: tuple[int, int]) -> tuple[int, int] | None:
    """Beat-local frames in which a part (cells lo..hi-1) draws the plays that start there; the
    part that ends the beat also draws its hold. None: the whole beat."""
    if part == WHOLE:
        return None
    lo, hi = part
    start = round(target_frames * lo / CELLS)
    return start, (round(target_frames * hi / CELLS) if hi < CELLS else target_frames + 1)


class FrameCountingRenderer(CairoRenderer):
    """Cairo renderer that counts frames, so every beat ends on an exact frame, and that can draw
    only part of a beat.

    A part draws the plays that start inside its window of the beat's frames. Plays before the
    window are fast-forwarded, and the frames they would have written are counted as if drawn,
    so a beat cut into parts on several workers joins into exactly the frames of a whole one.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.frames_written = 0  # frames actually written, all beats
        self.beat_frames = 0  # frames of the current beat so far, written or counted
        self.window: tuple[int, int] | None = None
        self._playing = False
        self._counting = False
        self._froze = False

    def start_beat(self, window: tuple[int, int] | None) -> None:
        self.beat_frames = 0
        self.window = window

    def add_frame(self, frame: Any, num_frames: int = 1) -> None:
        if not self.skip_animations:
            self.frames_written += num_frames
        super().add_frame(frame, num_frames)

    def update_skipping_status(self) -> None:
        super().update_skipping_status()
        if self.window is None or self.skip_animations:
            return
        start, end = self.window
        if self.beat_frames >= end:
            raise PartDone
        if self.beat_frames < start:
            self.skip_animations = True
            self._counting = True

    # Fast-forwarding: Manim still draws (and copies) each skipped play's static frame and a
    # skipped wait's frozen frame, though no frame is written. Not drawing them halves the
    # cost of fast-forwarding Raft (BENCHMARKS.md).

    def play(self, scene: Any, *args: Any, **kwargs: Any) -> None:
        self._playing, self._counting, self._froze = True, False, False
        written = self.frames_written
        try:
            super().play(scene, *args, **kwargs)
        finally:
            self._playing = False
        if self._counting:  # what drawing this play would have written (Manim's own arithmetic)
            dt = 1 / self.camera.frame_rate
            duration = scene.duration
            self.beat_frames += (
                int(duration / dt) if self._froze else len(np.arange(0, duration, dt))
            )
        else:
            self.beat_frames += self.frames_written - written

    def update_frame(self, scene: Any, *args: Any, **kwargs: Any) -> None:
        if self._playing and self.skip_animations:
            return
        super().update_frame(scene, *args, **kwargs)

    def save_static_frame_data(self, scene: Any, static_mobjects: Any) -> Any:
        if self._playing and self.skip_animations:
            self.static_image = None
            return None
        return super().save_static_frame_data(scene, static_mobjects)

    def freeze_current_frame(self, duration: float) -> None:
        self._froze = True
        if not self.skip_animations:
            super().freeze_current_frame(duration)


class ExplainerScene(Scene):
    """Base of every topic scene: `beat_<id>()` per storyboard beat, in storyboard order."""

    topic: ClassVar[str] = ""
    length_rules: ClassVar[bool] = True

    def __init__(self, renderer: Any = None, **kwargs: Any) -> None:
        if renderer is None and config.renderer.value == "cairo":
            renderer = FrameCountingRenderer(
                skip_animations=kwargs.get("skip_animations", False),
                file_writer_class=HoldFileWriter,
            )
        super().__init__(renderer=renderer, **kwargs)
        self.storyboard: Storyboard = self.load_storyboard()
        self.beat_index = 0
        self.chrome = VGroup()
        self.drawn_seconds: dict[str, float] = {}  # wall time drawing each wanted beat
        self.beat_drawn: Callable[[str, float], None] = lambda beat_id, seconds: None

    @classmethod
    def load_storyboard(cls) -> Storyboard:
        """The topic's storyboard, next to the scene folder (plain `manim` runs need no renderer)."""
        folder = os.environ.get("EXPLAINERS_STORYBOARDS")
        base = (
            Path(folder)
            if folder
            else Path(inspect.getfile(cls)).resolve().parent.parent / "storyboards"
        )
        relax = os.environ.get("EXPLAINERS_RELAX_LENGTH") in ("1", "true", "yes")
        return load(base / f"{cls.topic}.toml", length_rules=cls.length_rules and not relax)

    def only_beats(self) -> dict[str, tuple[int, int]] | None:
        """Beats to draw in this process and which cells of each (None: all, whole)."""
        wanted = os.environ.get(ONLY_BEATS_ENV, "")
        return dict(parse_piece(item) for item in wanted.split(",")) if wanted else None

    def construct(self) -> None:
        self.camera.background_color = BG
        wanted = self.only_beats()
        last_wanted = max(
            (i for i, b in enumerate(self.storyboard.beats) if wanted is None or b.id in wanted),
            default=-1,
        )
        frames_dir = os.environ.get(FRAMES_DIR_ENV)
        fps = config.frame_rate
        for i, (beat, start) in enumerate(zip(self.storyboard.beats, self.storyboard.starts())):
            if i > last_wanted and not frames_dir:
                break
            skip = bool(frames_dir) or (wanted is not None and beat.id not in wanted)
            self.next_section(beat.id, skip_animations=skip)
            self.beat_index = i
            target = round((start + beat.seconds) * fps) - round(start * fps)
            part = WHOLE if skip or wanted is None else wanted[beat.id]
            if isinstance(self.renderer, FrameCountingRenderer):
                self.renderer.start_beat(part_window(target, part))
            began = time.monotonic()
            try:
                self._run_beat(beat, target, skip)
            finally:
                if not skip:
                    self.drawn_seconds[beat.id] = time.monotonic() - began
                    self.beat_drawn(beat.id, self.drawn_seconds[beat.id])
            if frames_dir:
                self.save_frame(Path(frames_dir) / f"{i + 1:02d}-{beat.id}.png")

    def save_frame(self, path: Path) -> None:
        """Draw the current state (even while fast-forwarding) and save it as PNG."""
        self.renderer.static_image = None
        self.renderer.update_frame(self, ignore_skipping=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.camera.get_image().convert("RGB").save(path)

    def _run_beat(self, beat: Beat, target_frames: int, skipping: bool) -> None:
        """Draw one beat (or the part of it in the renderer's window), then hold its last state
        until exactly its length."""
        renderer = self.renderer
        written = getattr(renderer, "frames_written", 0)
        try:
            self._draw_and_hold(beat, target_frames, skipping)
        finally:
            if getattr(renderer, "window", None) and renderer.frames_written == written:
                # No play started in this part: no section video (Manim cannot join nothing).
                renderer.file_writer.sections[-1].video = None

    def _draw_and_hold(self, beat: Beat, target_frames: int, skipping: bool) -> None:
        self.show_chrome(beat)
        fps = config.frame_rate
        renderer = self.renderer
        time_before = renderer.time
        try:
            getattr(self, beat.method)()
        except (BeatOverrun, PartDone):
            raise
        except Exception as exc:
            # Name the beat that raised, even when a worker was only fast-forwarding through it.
            raise BeatFailed(f"beat '{beat.id}': {type(exc).__name__}: {exc}") from exc
        if skipping or not isinstance(renderer, FrameCountingRenderer):
            used = renderer.time - time_before
            over = used - beat.seconds
            if over > 0.5 / fps:
                raise BeatOverrun(f"beat '{beat.id}' runs {over:.2f} s over its {beat.seconds:g} s")
            if -over > 1e-9:
                self.wait(-over, frozen_frame=True)
            return
        used_frames = renderer.beat_frames
        if used_frames > target_frames:
            over = (used_frames - target_frames) / fps
            raise BeatOverrun(f"beat '{beat.id}' runs {over:.2f} s over its {beat.seconds:g} s")
        if used_frames < target_frames:
            # A frozen wait writes floor(duration * fps) frames: aim half a frame past the target.
            self.wait((target_frames - used_frames + 0.5) / fps, frozen_frame=True)

    # -- chrome -----------------------------------------------------------------------------

    def show_chrome(self, beat: Beat) -> None:
        """Topic title on the first beat; 'n/N · title' indicator top-right on every beat."""
        self.remove(self.chrome)
        n, total = self.beat_index + 1, len(self.storyboard.beats)
        indicator = text(f"{n}/{total} · {beat.title}", TYPE.small, MUTED)
        indicator.move_to(
            [LAYOUT.right - indicator.width / 2, LAYOUT.top - indicator.height / 2, 0]
        )
        parts: list[Mobject] = [indicator]
        if self.beat_index == 0:
            title = text(self.storyboard.title, TYPE.heading, INK, bold=True)
            max_width = LAYOUT.right - LAYOUT.left - indicator.width - 0.6
            if title.width > max_width:
                title.scale_to_fit_width(max_width)
            title.move_to([LAYOUT.left + title.width / 2, LAYOUT.top - title.height / 2, 0])
            parts.append(title)
        self.chrome = VGroup(*parts)
        self.add(self.chrome)

    def clear_stage(self) -> None:
        """Remove everything but the chrome (a beat that starts from a blank stage)."""
        self.remove(*[m for m in self.mobjects if m is not self.chrome])
