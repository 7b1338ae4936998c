"""What every command shares: project folder options, error handling with the contract's exit codes.

Exit codes: 0 done, 2 bad input (one line per problem, no traceback), 1 anything else.
"""

from __future__ import annotations

import errno
import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from explainers.project import PUBLIC_QUALITIES, ROOT, Project, UnknownTopic
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

    @click.option(
        "--storyboards",
        type=click.Path(path_type=Path),
        envvar="EXPLAINERS_STORYBOARDS",
        default=ROOT / "storyboards",
        show_default="storyboards/",
        help="Storyboard folder.",
    )
    @click.option(
        "--scenes",
        type=click.Path(path_type=Path),
        envvar="EXPLAINERS_SCENES",
        default=ROOT / "scenes",
        show_default="scenes/",
        help="Scene folder.",
    )
    @click.option(
        "--media",
        type=click.Path(path_type=Path),
        envvar="EXPLAINERS_MEDIA",
        default=ROOT / "media",
        show_default="media/",
        help="Output folder.",
    )
    @click.option(
        "--relax-length",
        is_flag=True,
        envvar="EXPLAINERS_RELAX_LENGTH",
        hidden=True,
        help="Skip the 80-120 s and 5-9 beat rules (the test demo topic).",
    )
    @functools.wraps(func)
    def wrapper(
        *args: Any, storyboards: Path, scenes: Path, media: Path, relax_length: bool, **kwargs: Any
    ) -> Any:
        project = Project(
            storyboards.resolve(), scenes.resolve(), media.resolve(), not relax_length
        )
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
                fail(
                    f"disk full writing {exc.filename or 'output'}: free some space and run again "
                    "(finished beats are kept)"
                )
            fail(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
        except KeyboardInterrupt:
            click.echo("interrupted; finished beats are kept and reused by the next run", err=True)
            sys.exit(130)

    return wrapper


QUALITY_CHOICE = click.Choice([*PUBLIC_QUALITIES, "tiny"])


def interrupt(signum: int, frame: Any) -> None:
    """SIGTERM ends a render like Ctrl-C: workers stopped, finished beats kept."""
    raise KeyboardInterrupt


def shown_path(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd())) + os.sep
    except ValueError:
        return str(path) + os.sep
