"""ExplainerScene: runs a storyboard's beats as Manim sections, each exactly its seconds, with the series chrome."""

from __future__ import annotations

import inspect
import os
from pathlib import Path
from typing import Any, ClassVar

from manim import Mobject, Scene, Text, VGroup, config
from manim.renderer.cairo_renderer import CairoRenderer

from explainers.encoding import HoldFileWriter
from explainers.kit.theme import BG, FONT, INK, LAYOUT, MUTED, TYPE, font_size
from explainers.storyboard import Beat, Storyboard, load

# Beats a render worker should draw; the others are fast-forwarded (no frames drawn).
ONLY_BEATS_ENV = "EXPLAINERS_ONLY_BEATS"
# When set, every beat is fast-forwarded and its last frame saved as NN-<id>.png in this folder.
FRAMES_DIR_ENV = "EXPLAINERS_FRAMES_DIR"


class BeatOverrun(Exception):
    """A beat's animations last longer than its storyboard seconds."""


class BeatFailed(Exception):
    """A beat method raised; the message names the beat."""


class FrameCountingRenderer(CairoRenderer):
    """Cairo renderer that counts the frames it writes, so every beat can end on an exact frame."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.frames_written = 0

    def add_frame(self, frame: Any, num_frames: int = 1) -> None:
        if not self.skip_animations:
            self.frames_written += num_frames
        super().add_frame(frame, num_frames)


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

    def only_beats(self) -> set[str] | None:
        """Beats to draw in this process (None: all); set by the renderer's workers."""
        wanted = os.environ.get(ONLY_BEATS_ENV, "")
        return set(wanted.split(",")) if wanted else None

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
            self._run_beat(beat, target, skip)
            if frames_dir:
                self.save_frame(Path(frames_dir) / f"{i + 1:02d}-{beat.id}.png")

    def save_frame(self, path: Path) -> None:
        """Draw the current state (even while fast-forwarding) and save it as PNG."""
        self.renderer.static_image = None
        self.renderer.update_frame(self, ignore_skipping=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.camera.get_image().convert("RGB").save(path)

    def _run_beat(self, beat: Beat, target_frames: int, skipping: bool) -> None:
        """Draw one beat, then hold its last state until exactly its length."""
        self.show_chrome(beat)
        fps = config.frame_rate
        renderer = self.renderer
        frames_before = getattr(renderer, "frames_written", 0)
        time_before = renderer.time
        try:
            getattr(self, beat.method)()
        except BeatOverrun:
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
        used_frames = renderer.frames_written - frames_before
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
        indicator = Text(
            f"{n}/{total} · {beat.title}", font=FONT, color=MUTED, font_size=font_size(TYPE.small)
        )
        indicator.move_to(
            [LAYOUT.right - indicator.width / 2, LAYOUT.top - indicator.height / 2, 0]
        )
        parts: list[Mobject] = [indicator]
        if self.beat_index == 0:
            title = Text(
                self.storyboard.title,
                font=FONT,
                color=INK,
                weight="BOLD",
                font_size=font_size(TYPE.heading),
            )
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
