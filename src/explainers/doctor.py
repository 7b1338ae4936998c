"""What the system needs, checked one piece at a time, each missing piece with the command that fixes it."""

from __future__ import annotations

import importlib
import importlib.util
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
FONTS = {"Inter": "fonts-inter", "JetBrains Mono": "fonts-jetbrains-mono"}
APT = "sudo apt-get install -y"


@dataclass(frozen=True)
class Check:
    """One requirement: whether it is met, what was found, and how to fix it if not."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
    required: bool = True


class MissingRequirement(Exception):
    """Something the render needs is not installed; the message says how to install it."""


def _python() -> Check:
    ok = sys.version_info >= (3, 11)
    return Check("python", ok, sys.version.split()[0], "install Python 3.11 or newer")


def _module(name: str, label: str, fix: str) -> Check:
    try:
        module = importlib.import_module(name)
    except Exception as exc:  # noqa: BLE001  ImportError, or OSError for a missing shared library
        return Check(label, False, f"{type(exc).__name__}: {exc}".splitlines()[0][:120], fix)
    return Check(label, True, getattr(module, "__version__", "installed"))


def _tool(name: str, fix: str, required: bool = True, *, quick: bool = False) -> Check:
    path = shutil.which(name)
    if not path:
        return Check(name, False, "not found", fix, required)
    if quick:
        return Check(name, True, path, required=required)
    try:
        first = subprocess.run(
            [path, "-version"], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        first = ""
    return Check(name, True, (first.splitlines() or [path])[0][:80], required=required)


def font_families() -> set[str]:
    """Font families fontconfig knows (Pango silently substitutes a missing one)."""
    try:
        out = subprocess.run(
            ["fc-list", ":", "family"], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return set()
    return {name for line in out.splitlines() for name in line.split(",")}


def _fonts() -> list[Check]:
    known = font_families()
    return [
        Check(f"font {family}", ok, "installed" if ok else "missing", f"{APT} {package}")
        for family, package in FONTS.items()
        for ok in [family in known]
    ]


def _installed(name: str, label: str, fix: str) -> Check:
    """A pure-Python package is installed (found, not imported: importing Manim takes ~2 s)."""
    found = importlib.util.find_spec(name) is not None
    return Check(label, found, "installed" if found else "not installed", fix)


def _chromium() -> Check:
    ok = CHROMIUM.is_file()
    return Check(
        "chromium (browser tests)",
        ok,
        str(CHROMIUM) if ok else "missing",
        f"{APT} chromium   (or: scripts/setup.sh --browser)",
        required=False,
    )


def render_checks(*, quick: bool = False) -> list[Check]:
    """What a render needs, in the order a user would fix them.

    `quick` (before every render) finds Manim and the tools without running them; the native
    libraries are still loaded, as a missing one only shows then. `doctor` shows versions.
    """
    pango_fix = f"{APT} libcairo2-dev libpango1.0-dev pkg-config, then scripts/setup.sh"
    manim_fix = "scripts/setup.sh   (installs the project into .venv)"
    return [
        _python(),
        _module("cairo", "cairo (pycairo)", pango_fix),
        _module("manimpango", "pango (ManimPango)", pango_fix),
        _installed("manim", "manim", manim_fix) if quick else _module("manim", "manim", manim_fix),
        _tool("ffmpeg", f"{APT} ffmpeg", quick=quick),
        _tool("ffprobe", f"{APT} ffmpeg", quick=quick),
        *_fonts(),
    ]


def checks() -> list[Check]:
    """Everything: the render's needs, then the browser tests' (optional for rendering)."""
    return [
        *render_checks(),
        _chromium(),
        _module("playwright", "playwright (browser tests)", "scripts/setup.sh --browser"),
    ]


def require_render_tools() -> None:
    """Fail before a render starts, naming the first missing piece and its fix."""
    for check in render_checks(quick=True):
        if not check.ok:
            raise MissingRequirement(f"{check.name} is missing ({check.detail}); fix: {check.fix}")
