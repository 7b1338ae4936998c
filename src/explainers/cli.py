"""Command line: `explainers render|validate|list|...` and the `render` shortcut.

Exit codes: 0 done, 2 bad input (one line per problem, no traceback), 1 anything else.
"""

from __future__ import annotations

import errno
import functools
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from explainers.project import (
    DEFAULT_QUALITY,
    PUBLIC_QUALITIES,
    QUALITIES,
    ROOT,
    Project,
    UnknownTopic,
)
from explainers.storyboard import StoryboardError


class BadInput(click.ClickException):
    """Bad input: every line printed as is, exit code 2."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(self.format_message(), err=True)


def fail(message: str, code: int = 1) -> None:
    """Print one clear line and exit."""
    for line in message.splitlines() or [""]:
        click.echo(f"error: {line}", err=True)
    sys.exit(code)


def project_options(func: Callable) -> Callable:
    """Folders to work on; tests point them at the demo topic. Each also reads an EXPLAINERS_* variable."""

    @click.option("--storyboards", type=click.Path(path_type=Path), envvar="EXPLAINERS_STORYBOARDS",
                  default=ROOT / "storyboards", show_default="storyboards/", help="Storyboard folder.")
    @click.option("--scenes", type=click.Path(path_type=Path), envvar="EXPLAINERS_SCENES",
                  default=ROOT / "scenes", show_default="scenes/", help="Scene folder.")
    @click.option("--media", type=click.Path(path_type=Path), envvar="EXPLAINERS_MEDIA",
                  default=ROOT / "media", show_default="media/", help="Output folder.")
    @click.option("--relax-length", is_flag=True, envvar="EXPLAINERS_RELAX_LENGTH", hidden=True,
                  help="Skip the 80-120 s and 5-9 beat rules (the test demo topic).")
    @functools.wraps(func)
    def wrapper(*args: Any, storyboards: Path, scenes: Path, media: Path, relax_length: bool,
                **kwargs: Any) -> Any:
        project = Project(storyboards.resolve(), scenes.resolve(), media.resolve(), not relax_length)
        return func(*args, project=project, **kwargs)

    return wrapper


def guarded(func: Callable) -> Callable:
    """Map our exceptions to clear one-line messages and the contract's exit codes."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from explainers.doctor import MissingRequirement
        from explainers.media import MediaError
        from explainers.render import RenderError

        try:
            return func(*args, **kwargs)
        except StoryboardError as exc:
            raise BadInput(str(exc)) from None
        except UnknownTopic as exc:
            raise BadInput(f"error: {exc}") from None
        except (RenderError, MediaError, MissingRequirement) as exc:
            fail(str(exc))
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                fail(f"disk full writing {exc.filename or 'output'}: free some space and run again "
                     "(finished beats are kept)")
            fail(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
        except KeyboardInterrupt:
            click.echo("interrupted; finished beats are kept and reused by the next run", err=True)
            sys.exit(130)

    return wrapper


QUALITY_CHOICE = click.Choice([*PUBLIC_QUALITIES, "tiny"])


@click.command("render")
@click.option("--topic", "topics", multiple=True, help="Topic id (repeatable), e.g. raft.")
@click.option("--all", "all_topics", is_flag=True, help="Render every topic with a storyboard.")
@click.option("--quality", type=QUALITY_CHOICE, default=DEFAULT_QUALITY, show_default=True,
              help="preview 854x480@15, 720p 1280x720@30, 1080p 1920x1080@60, 4k 3840x2160@60.")
@click.option("--beats", help="Only these beats, comma-separated (others are kept from earlier runs).")
@click.option("--jobs", type=click.IntRange(1, 64), default=None,
              help="Worker processes (default: number of cores).")
@click.option("--force", is_flag=True, help="Ignore the per-beat cache and render every beat again.")
@project_options
@guarded
def render_cmd(project: Project, topics: tuple[str, ...], all_topics: bool, quality: str,
               beats: str | None, jobs: int | None, force: bool) -> None:
    """Render topics to media/<topic>/<quality>/: beat clips, video, captions, chapters, manifest."""
    from explainers.render import render_topic

    signal.signal(signal.SIGTERM, _interrupt)

    chosen = project.topics() if all_topics else list(topics)
    if not chosen:
        raise BadInput("error: name a topic with --topic TOPIC, or use --all; "
                       f"available: {', '.join(project.topics()) or 'none'}")
    for topic in chosen:
        project.check_topic(topic)
    only = [b.strip() for b in beats.split(",") if b.strip()] if beats else None
    for topic in chosen:
        out = render_topic(project, topic, quality, jobs=jobs, only=only, force=force,
                           progress=lambda line, t=topic: click.echo(f"{t}: {line}", err=True))
        click.echo(f"outputs in {_shown_path(out)}")


def _interrupt(signum: int, frame: Any) -> None:
    """SIGTERM ends a render like Ctrl-C: workers stopped, finished beats kept."""
    raise KeyboardInterrupt


def _shown_path(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd())) + os.sep
    except ValueError:
        return str(path) + os.sep


@click.command("frames")
@click.option("--topic", required=True, help="Topic id.")
@click.option("--quality", type=QUALITY_CHOICE, default="preview", show_default=True)
@project_options
@guarded
def frames_cmd(project: Project, topic: str, quality: str) -> None:
    """Save the last frame of every beat as PNG (fast: nothing is encoded) to look at."""
    from explainers.render import last_frames

    project.check_topic(topic)
    frames = last_frames(project, topic, quality)
    for frame in frames:
        click.echo(_shown_path(frame).rstrip(os.sep))


@click.command("validate")
@click.argument("topics", nargs=-1)
@project_options
@guarded
def validate_cmd(project: Project, topics: tuple[str, ...]) -> None:
    """Check storyboards and their scenes' beat methods (all topics when none are named)."""
    chosen = list(topics) or project.topics()
    problems = []
    for topic in chosen:
        try:
            project.check_topic(topic)
        except UnknownTopic as exc:
            problems.append(f"error: {exc}")
            continue
        _, found = project.validate(topic)
        problems.extend(str(p) for p in found)
    if problems:
        raise BadInput("\n".join(problems))
    click.echo(f"{len(chosen)} storyboard(s) valid: {', '.join(chosen)}")


@click.command("list")
@project_options
@guarded
def list_cmd(project: Project) -> None:
    """Each topic with its title, beats, length and the qualities rendered."""
    topics = project.topics()
    if not topics:
        click.echo(f"no storyboards in {project.storyboards}")
        return
    rows = []
    for topic in topics:
        try:
            board = project.load_storyboard(topic)
            info = (board.title, str(len(board.beats)), f"{board.duration:g} s")
        except StoryboardError as exc:
            info = (f"invalid ({len(exc.problems)} problem(s); run explainers validate {topic})", "-", "-")
        rendered = [q for q in QUALITIES if (project.out_dir(topic, q) / "manifest.json").is_file()]
        rows.append((topic, *info, ", ".join(rendered) or "-"))
    header = ("topic", "title", "beats", "length", "rendered")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())


@click.command("doctor")
def doctor_cmd() -> None:
    """Check Python, Manim, Cairo/Pango, ffmpeg, fonts and Chromium; print the fix for each missing piece."""
    from explainers.doctor import checks

    results = checks()
    width = max(len(c.name) for c in results)
    for c in results:
        mark = "ok  " if c.ok else ("MISSING" if c.required else "missing (optional)")
        click.echo(f"{c.name.ljust(width)}  {mark}  {c.detail}")
        if not c.ok:
            click.echo(f"{''.ljust(width)}  fix: {c.fix}")
    missing = [c for c in results if c.required and not c.ok]
    if missing:
        sys.exit(1)
    click.echo("everything needed to render is installed")


@click.group()
@click.version_option(package_name="visual-explainers")
def explainers() -> None:
    """Visual Explainers: storyboards to Manim videos, web player and YouTube bundles."""


explainers.add_command(render_cmd)
explainers.add_command(validate_cmd)
explainers.add_command(list_cmd)

from explainers.publish.cli import command as publish_command

explainers.add_command(publish_command(project_options, guarded))
explainers.add_command(frames_cmd)
explainers.add_command(doctor_cmd)

from explainers.site.commands import serve_cmd, site_cmd  # noqa: E402  (they use the helpers above)

explainers.add_command(site_cmd)
explainers.add_command(serve_cmd)


def main() -> None:
    """Entry point of `explainers`."""
    explainers(prog_name="explainers")


def render_main() -> None:
    """Entry point of `render` (same as `explainers render`)."""
    render_cmd(prog_name="render")
