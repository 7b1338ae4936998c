"""`explainers publish --topic T [--quality 1080p|4k] [--upload [--privacy P]]`.

Registered on the `explainers` group in cli.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from explainers.cli_common import BadInput, fail, guarded, project_options, shown_path
from explainers.project import QUALITIES, Project

if TYPE_CHECKING:
    from explainers.publish import bundle

# The publishing modules (numpy, PIL, Google's client) load only when `publish` runs.
SHOWN_QUALITIES = ("1080p", "4k")
PRIVACY = ("private", "unlisted", "public")
DEFAULT_PRESET = "medium"  # slow saved <1% size on flat animation for ~40% more time
PRESETS = ("superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow")


class QualityChoice(click.Choice):
    """1080p or 4k in the help; 720p, preview and the test-only tiny accepted as well."""

    def __init__(self) -> None:
        super().__init__(list(QUALITIES))

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "[" + "|".join(SHOWN_QUALITIES) + "]"


def _line(name: str, text: str, width: int = 26) -> str:
    return f"  {name:<{width}} {text}"


def summary(b: bundle.Bundle, rendered: bundle.Rendered) -> list[str]:
    """What was written, one line per file, with the figures that matter for YouTube."""
    from explainers.publish import master

    m = rendered.manifest
    mc = b.master_checks
    sc = b.shorts_checks
    meta = b.meta
    limits = meta.limits()
    chapters = f"{len(meta.chapters)} chapters" if meta.chapters else "no chapters"
    width = max(len(name) for name in b.files.values())

    def line(name: str, text: str) -> str:
        return _line(name, text, width)

    return [
        (f"{rendered.topic}: published from {rendered.quality} "
         f"({m['width']}x{m['height']}@{m['fps']}, {float(m['duration']):g} s)"),
        line(b.files["video"], f"{sum(c.ok for c in mc)}/{len(mc)} YouTube checks pass "
              f"(H.264 High, BT.709, closed GOP {master.gop_size(float(m['fps']))}, 2 B-frames, "
              "CABAC, faststart, no edit list, AAC-LC 48 kHz stereo)"),
        line(b.files["shorts"], f"1080x1920, {b.shorts_seconds:g} s, "
              f"{sum(c.ok for c in sc)}/{len(sc)} checks pass"),
        line(b.files["thumbnail"], f"1280x720, {b.thumb.bytes / 1024:.0f} KB, beat '{b.thumb.beat}', "
              f"title {b.thumb.font_px} px"),
        line(b.files["captions"], f"{b.cues} cues"),
        line(b.files["description"], f"title {limits['title_chars']} chars, description "
              f"{limits['description_bytes']} bytes, tags {limits['tags_chars']} chars, {chapters}"),
        line(b.files["metadata"], "videos.insert body, files, chapters, checks"),
    ]


@click.command("publish")
@click.option("--topic", "topics", multiple=True, help="Topic id (repeatable), e.g. raft.")
@click.option("--all", "all_topics", is_flag=True, help="Every topic rendered at --quality.")
@click.option("--quality", type=QualityChoice(), default="1080p", show_default=True,
              help="The rendered quality to publish from (render it first).")
@click.option("--upload", is_flag=True, help="Upload to YouTube: video, thumbnail, captions.")
@click.option("--privacy", type=click.Choice(PRIVACY), default=None,
              help="Privacy of the upload [default: private].")
@click.option("--client-secrets", type=click.Path(path_type=Path, dir_okay=False),
              envvar="EXPLAINERS_YOUTUBE_CLIENT_SECRETS",
              help="OAuth client secrets JSON (Desktop app) for the first upload "
                   "[default: client_secret.json in the config folder].")
@click.option("--preset", type=click.Choice(PRESETS), default=DEFAULT_PRESET, show_default=True,
              help="x264 speed: faster presets make bigger files at CRF 16 with the same "
                   "YouTube settings.")
@project_options
@guarded
def publish_cmd(**kwargs: Any) -> None:
    """YouTube bundle in media/<topic>/publish/: master, Short, thumbnail, captions, metadata."""
    run(**kwargs)


def run(project: Project, topics: tuple[str, ...], all_topics: bool, quality: str,
        upload: bool, privacy: str | None, client_secrets: Path | None, preset: str) -> None:
    """Publish the chosen topics, then upload them if asked."""
    from explainers.publish import bundle, master, youtube

    if privacy and not upload:
        raise BadInput("error: --privacy applies to --upload only")
    if all_topics:
        chosen = [t for t in project.topics() if (project.out_dir(t, quality) / "manifest.json").is_file()]
        if not chosen:
            raise BadInput(f"error: no topic is rendered at {quality}; run: render --all --quality {quality}")
    else:
        chosen = list(topics)
    if not chosen:
        raise BadInput("error: name a topic with --topic TOPIC, or use --all; "
                       f"available: {', '.join(project.topics()) or 'none'}")
    rendered = []
    for topic in chosen:
        project.check_topic(topic)
        try:
            rendered.append(bundle.load_rendered(project, topic, quality))
        except bundle.NotRendered as exc:
            raise BadInput(str(exc)) from None
    service = _connect(client_secrets) if upload else None
    encoding = master.Encoding(preset=preset)
    for r in rendered:
        result = bundle.publish(r, encoding=encoding,
                                progress=lambda line, t=r.topic: click.echo(f"{t}: {line}", err=True))
        for warning in result.warnings:
            click.echo(f"warning: {r.topic}: {warning}", err=True)
        for line in summary(result, r):
            click.echo(line)
        click.echo(f"outputs in {shown_path(result.folder)}")
        if service is not None:
            try:
                record, warnings = youtube.upload_bundle(
                    service, result.folder, privacy=privacy or "private",
                    progress=lambda line, t=r.topic: click.echo(f"{t}: {line}", err=True))
            except youtube.UploadError as exc:
                fail(f"{r.topic}: {exc}")
            for warning in warnings:
                click.echo(f"warning: {r.topic}: {warning}", err=True)
            click.echo(f"on YouTube: {record.url} ({record.privacy})")


def _connect(client_secrets: Path | None) -> Any:
    """Authorize (before any encode, so a missing secret fails fast) and build the client."""
    from explainers.publish import youtube

    try:
        youtube.require_extra()
        secrets = client_secrets or youtube.default_client_secrets()
        creds = youtube.authorize(secrets, progress=lambda line: click.echo(line, err=True))
        return youtube.service(creds)
    except youtube.NoClientSecrets as exc:
        raise BadInput(str(exc)) from None
    except ValueError as exc:  # google-auth-oauthlib: not an installed-app client secrets file
        raise BadInput(f"error: {client_secrets}: {exc}") from None
    except youtube.UploadError as exc:
        fail(str(exc))
