"""Shared fixtures: the demo topic (tests/demo) and one tiny render of it per test session."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from explainers.project import Project

TESTS = Path(__file__).resolve().parent
DEMO = TESTS / "demo"


@pytest.fixture(scope="session")
def demo_project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The demo topic with its own media folder, length rules relaxed as for every test topic."""
    media = tmp_path_factory.mktemp("media")
    return Project(DEMO / "storyboards", DEMO / "scenes", media, length_rules=False)


def cli_env(project: Project) -> dict[str, str]:
    """Environment that points the command line at a project."""
    return {**os.environ, **project.env()}


def run_cli(
    project: Project, *args: str, script: str = "explainers"
) -> subprocess.CompletedProcess:
    """Run a console script of this venv against a project; returns the finished process."""
    exe = Path(sys.executable).with_name(script)
    return subprocess.run(
        [str(exe), *args], env=cli_env(project), capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="session")
def demo_media(demo_project: Project) -> Path:
    """Media root holding demo/tiny/ rendered once by the real `render` command (256x144@10)."""
    proc = run_cli(demo_project, "--topic", "demo", "--quality", "tiny", script="render")
    assert proc.returncode == 0, proc.stderr
    return demo_project.media


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite tests/golden/<topic>/*.png from the current scenes instead of comparing.",
    )
