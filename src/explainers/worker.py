"""One render worker process: fast-forward to a beat, draw only that beat, write its clip.

Run as `python -m explainers.worker TOPIC QUALITY BEAT OUT.mp4`; the project folders come from
the EXPLAINERS_* environment the renderer passes. A separate process per beat keeps Manim's
global config and caches apart, and lets beats render on every core.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import traceback
from pathlib import Path

ENCODER_OPTIONS_ENV = "EXPLAINERS_ENCODER_OPTIONS"


def encoder_options() -> dict[str, str]:
    """x264 options as KEY=VALUE,KEY=VALUE from the renderer (see render.encoder_settings)."""
    raw = os.environ.get(ENCODER_OPTIONS_ENV, "")
    return dict(item.split("=", 1) for item in raw.split(",") if "=" in item)


def render_beat(topic: str, quality_name: str, beat_id: str, out: Path) -> None:
    """Render one beat of a topic to `out` (written only when complete)."""
    from manim import config, tempconfig

    from explainers.project import QUALITIES, Project, scene_class
    from explainers.scene import ONLY_BEATS_ENV

    project = Project.from_env()
    quality = QUALITIES[quality_name]
    os.environ[ONLY_BEATS_ENV] = beat_id
    work = Path(tempfile.mkdtemp(prefix=f".{beat_id}-", dir=out.parent))
    try:
        settings = {
            "pixel_width": quality.width,
            "pixel_height": quality.height,
            "frame_rate": quality.fps,
            "media_dir": str(work),
            "disable_caching": True,
            "progress_bar": "none",
            "verbosity": "ERROR",
            "format": "mp4",
            "output_file": beat_id,
            "video_encoder_options": encoder_options(),
        }
        with tempconfig(settings):
            config.video_encoder_options = encoder_options()
            scene = scene_class(project.scene_path(topic))()
            scene.render()
            movie = Path(scene.renderer.file_writer.movie_file_path)
        if not movie.is_file():
            raise RuntimeError(f"Manim wrote no video for beat '{beat_id}'")
        write_deps(out, [project.scenes, Path(__file__).resolve().parent])
        os.replace(movie, out)
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
    topic, quality, beat_id, out = argv
    try:
        render_beat(topic, quality, beat_id, Path(out))
    except Exception as exc:  # the parent prints this one line; the traceback goes to the log
        traceback.print_exc(file=sys.stderr)
        print(f"WORKER-ERROR: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
