"""The `site` and `serve` commands (registered on the `explainers` group in cli.py)."""

from __future__ import annotations

import sys
import webbrowser
from pathlib import Path

import click

from explainers.cli_common import BadInput, guarded, project_options, shown_path
from explainers.project import Project

SITE_QUALITIES = ("1080p", "720p", "tiny")  # tiny: the tests' 256x144 render, not advertised


@click.command("site")
@click.option("--quality", type=click.Choice(SITE_QUALITIES), default="1080p", show_default=True,
              metavar="[1080p|720p]",
              help="Web clip size: 1080p, or 720p (also made from a 1080p/4k render, scaled).")
@project_options
@guarded
def site_cmd(project: Project, quality: str) -> None:
    """Build the static site in media/site/: the catalog and a player for every rendered topic."""
    from explainers.site.build import build_site
    from explainers.site.manifests import SiteError

    try:
        report = build_site(project, quality, progress=lambda line: click.echo(line, err=True))
    except SiteError as exc:
        raise BadInput("\n".join(f"error: {p}" for p in exc.problems)) from None
    click.echo(f"site with {len(report.topics)} topic(s) in {shown_path(report.out)}"
               f" ({report.encoded} web clip(s) encoded, {report.reused} reused)")
    click.echo(f"open {report.out / 'index.html'} or run: explainers serve")


@click.command("serve")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port on 127.0.0.1 (0 picks a free one).")
@click.option("--open", "open_browser", is_flag=True, help="Open the catalog in the web browser.")
@click.option("--log", is_flag=True, help="Print every request.")
@project_options
@guarded
def serve_cmd(project: Project, port: int, open_browser: bool, log: bool) -> None:
    """Serve media/site/ on http://127.0.0.1 (local only) until Ctrl+C."""
    from explainers.site.manifests import SITE_DIR
    from explainers.site.serve import make_server, url_of

    site: Path = project.media / SITE_DIR
    if not (site / "index.html").is_file():
        raise BadInput(f"error: no site in {shown_path(site)}; build it first: explainers site")
    try:
        server = make_server(site, port, quiet=not log)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on 127.0.0.1:{port} ({exc.strerror}); "
                                   "try another --port, or --port 0") from None
    url = url_of(server)
    click.echo(f"serving {shown_path(site)} at {url}  (Ctrl+C to stop)")
    sys.stdout.flush()
    if open_browser:
        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    finally:
        server.server_close()
