"""One render worker process: fast-forward to a beat, draw only that beat, write its clip.

Run as `python -m explainers.worker --beats TOPIC QUALITY PIECE,PIECE,... DIR` (a run of beats,
one clip each in DIR; a piece is a beat id or `id@lo-hi`, a part of a beat; see scene.py),
`python -m explainers.worker TOPIC QUALITY BEAT OUT.mp4` (one beat, or "*": every beat in one
file, the sequential reference) or `python -m explainers.worker --frames TOPIC QUALITY DIR` (last
frame of each beat as PNG, nothing encoded). The project folders come from the EXPLAINERS_*
environment the renderer passes. A separate process per run keeps Manim's global config and
caches apart, and lets beats render on every core.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import sys
import tempfile
import traceback
from pathlib import Path

ENCODER_OPTIONS_ENV = "EXPLAINERS_ENCODER_OPTIONS"
PARENT_ENV = "EXPLAINERS_RENDER_PID"
COST_PREFIX = "WORKER-COST: "  # a line per drawn beat: "<id> <wall seconds>"


def die_with_parent() -> None:
    """Get SIGKILL when the renderer dies, even by SIGKILL (Linux), so no worker runs on orphaned."""
    parent = os.environ.get(PARENT_ENV)
    if not parent:
        return
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        return
    if os.getppid() != int(parent):  # the renderer died before we asked
        os._exit(1)


def encoder_options() -> dict[str, str]:
    """x264 options as KEY=VALUE,KEY=VALUE from the renderer (see render.encoder_settings)."""
    raw = os.environ.get(ENCODER_OPTIONS_ENV, "")
    return dict(item.split("=", 1) for item in raw.split(",") if "=" in item)


def _settings(quality_name: str, work: Path, fmt: str, name: str) -> dict:
    from explainers.project import QUALITIES

    quality = QUALITIES[quality_name]
    return {
        "pixel_width": quality.width,
        "pixel_height": quality.height,
        "frame_rate": quality.fps,
        "media_dir": str(work),
        "disable_caching": True,
        "progress_bar": "none",
        "verbosity": "ERROR",
        "format": fmt,
        "output_file": name,
        "video_encoder_options": encoder_options(),
    }


def render_beat(topic: str, quality_name: str, beat_id: str, out: Path) -> None:
    """Render the whole scene ("*", the sequential reference) or one beat into one file `out`."""
    from manim import tempconfig

    from explainers.project import Project, scene_class
    from explainers.scene import ONLY_BEATS_ENV

    project = Project.from_env()
    if beat_id != "*":
        os.environ[ONLY_BEATS_ENV] = beat_id
    work = Path(tempfile.mkdtemp(prefix=".work-", dir=out.parent))
    try:
        with tempconfig(_settings(quality_name, work, "mp4", "beat")):
            scene = scene_class(project.scene_path(topic))()
            scene.render()
            movie = Path(scene.renderer.file_writer.movie_file_path)
        if not movie.is_file():
            raise RuntimeError(f"Manim wrote no video for beat '{beat_id}'")
        write_deps(out, [project.scenes, Path(__file__).resolve().parent])
        os.replace(movie, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def render_beats(topic: str, quality_name: str, pieces: list[str], folder: Path) -> None:
    """Render several beats in one pass (fast-forwarding only up to the first) into `folder`.

    A piece is a beat id (clip <id>.mp4) or `id@lo-hi`, cells lo..hi-1 of a beat (clip
    <id>.part<lo>.mp4; no clip when no animation starts in that part). One Manim section per
    beat gives one clip per piece; a worker that draws a run of beats pays the fast-forward
    through the earlier beats once, not once per beat.
    """
    from manim import tempconfig

    from explainers.plan import WHOLE, parse_piece, piece_clip_name
    from explainers.project import Project, scene_class
    from explainers.scene import ONLY_BEATS_ENV

    project = Project.from_env()
    os.environ[ONLY_BEATS_ENV] = ",".join(pieces)
    wanted = dict(parse_piece(p) for p in pieces)
    work = Path(tempfile.mkdtemp(prefix=".work-", dir=folder))
    try:
        settings = {**_settings(quality_name, work, "mp4", "beats"), "save_sections": True}
        with tempconfig(settings):
            scene = scene_class(project.scene_path(topic))()
            scene.beat_drawn = report_drawn
            scene.render()
            writer = scene.renderer.file_writer
            index = json.loads(Path(writer.output_plan.section_index).read_text(encoding="utf-8"))
            made = {entry["name"]: writer.sections_output_dir / entry["video"] for entry in index}
            empty = {s.name for s in writer.sections if s.video is None}
        missing = [
            b
            for b, part in wanted.items()
            if not (b in made and made[b].is_file()) and not (part != WHOLE and b in empty)
        ]
        if missing:
            raise RuntimeError(f"Manim wrote no video for beat '{missing[0]}'")
        for beat_id, part in wanted.items():
            clip = folder / piece_clip_name(beat_id, part)
            write_deps(clip, [project.scenes, Path(__file__).resolve().parent])
            if beat_id in made:
                os.replace(made[beat_id], clip)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report_drawn(beat_id: str, seconds: float) -> None:
    """Tell the renderer a beat is drawn, as it happens (progress, and its cost for planning)."""
    print(f"{COST_PREFIX}{beat_id} {seconds:.3f}", file=sys.stderr, flush=True)


def last_frames(topic: str, quality_name: str, folder: Path) -> None:
    """Fast-forward every beat (no video) and save each beat's last frame as NN-<id>.png."""
    from manim import tempconfig

    from explainers.project import Project, scene_class
    from explainers.scene import FRAMES_DIR_ENV

    project = Project.from_env()
    os.environ[FRAMES_DIR_ENV] = str(folder)
    folder.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".work-", dir=folder))
    try:
        with tempconfig(_settings(quality_name, work, "png", "last")):
            scene_class(project.scene_path(topic))().render()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def deps_path(clip: Path) -> Path:
    """Where a worker lists the source files a clip was drawn with."""
    return clip.with_name(clip.name + ".deps.json")


def write_deps(clip: Path, roots: list[Path]) -> None:
    """Record every imported source file under `roots`: the clip is stale when one of them changes."""
    roots = [r.resolve() for r in roots]
    files = set()
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None)
        if file and file.endswith(".py"):
            path = Path(file).resolve()
            if any(path.is_relative_to(r) for r in roots):
                files.add(str(path))
    deps_path(clip).write_text(json.dumps(sorted(files)), encoding="utf-8")


def main(argv: list[str]) -> int:
    die_with_parent()
    try:
        if argv[0] == "--frames":
            last_frames(argv[1], argv[2], Path(argv[3]))
        elif argv[0] == "--beats":
            render_beats(argv[1], argv[2], argv[3].split(","), Path(argv[4]))
        else:
            topic, quality, beat_id, out = argv
            render_beat(topic, quality, beat_id, Path(out))
    except Exception as exc:  # noqa: BLE001  the parent prints this one line; the log gets the traceback
        traceback.print_exc(file=sys.stderr)
        from explainers.scene import BeatFailed, BeatOverrun

        reason = (
            str(exc)
            if isinstance(exc, BeatFailed | BeatOverrun)
            else f"{type(exc).__name__}: {exc}"
        )
        print(f"WORKER-ERROR: {reason}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
