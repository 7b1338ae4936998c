"""Command line: `explainers render|validate|list|frames|doctor|site|serve|publish` and `render`.

Exit codes: 0 done, 2 bad input (one line per problem, no traceback), 1 anything else.
"""

from __future__ import annotations

import os
import signal
import sys

import click

from explainers.cli_common import (
    QUALITY_CHOICE,
    BadInput,
    guarded,
    interrupt,
    project_options,
    shown_path,
)
from explainers.project import DEFAULT_QUALITY, QUALITIES, Project, UnknownTopic
from explainers.publish.cli import publish_cmd
from explainers.site.commands import serve_cmd, site_cmd
from explainers.storyboard import StoryboardError


@click.command("render")
@click.option("--topic", "topics", multiple=True, help="Topic id (repeatable), e.g. raft.")
@click.option("--all", "all_topics", is_flag=True, help="Render every topic with a storyboard.")
@click.option(
    "--quality",
    type=QUALITY_CHOICE,
    default=DEFAULT_QUALITY,
    show_default=True,
    help="preview 854x480@15, 720p 1280x720@30, 1080p 1920x1080@60, 4k 3840x2160@60.",
)
@click.option(
    "--beats", help="Only these beats, comma-separated (others are kept from earlier runs)."
)
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    default=None,
    help="Worker processes (default: number of cores).",
)
@click.option(
    "--force", is_flag=True, help="Ignore the per-beat cache and render every beat again."
)
@project_options
@guarded
def render_cmd(
    project: Project,
    topics: tuple[str, ...],
    all_topics: bool,
    quality: str,
    beats: str | None,
    jobs: int | None,
    force: bool,
) -> None:
    """Render topics to media/<topic>/<quality>/: beat clips, video, captions, chapters, manifest."""
    from explainers.render import render_topic

    signal.signal(signal.SIGTERM, interrupt)

    chosen = project.topics() if all_topics else list(topics)
    if not chosen:
        raise BadInput(
            "error: name a topic with --topic TOPIC, or use --all; "
            f"available: {', '.join(project.topics()) or 'none'}"
        )
    for topic in chosen:
        project.check_topic(topic)
    only = [b.strip() for b in beats.split(",") if b.strip()] if beats else None
    for topic in chosen:
        out = render_topic(
            project,
            topic,
            quality,
            jobs=jobs,
            only=only,
            force=force,
            progress=lambda line, t=topic: click.echo(f"{t}: {line}", err=True),
        )
        click.echo(f"outputs in {shown_path(out)}")


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
        click.echo(shown_path(frame).rstrip(os.sep))


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
            info = (
                f"invalid ({len(exc.problems)} problem(s); run explainers validate {topic})",
                "-",
                "-",
            )
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


for command in (
    render_cmd,
    validate_cmd,
    list_cmd,
    frames_cmd,
    doctor_cmd,
    site_cmd,
    serve_cmd,
    publish_cmd,
):
    explainers.add_command(command)


def main() -> None:
    """Entry point of `explainers`."""
    explainers(prog_name="explainers")


def render_main() -> None:
    """Entry point of `render` (same as `explainers render`)."""
    render_cmd(prog_name="render")
