"""Failures outside us (missing tools, fonts, libraries, a full disk, a scene that raises): one clear
message naming what to do, exit code 1, earlier outputs untouched."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import DEMO, run_cli
from explainers.media import clip_ok
from explainers.project import Project


@pytest.fixture
def demo(tmp_path: Path) -> Project:
    shutil.copytree(DEMO, tmp_path / "demo")
    return Project(
        tmp_path / "demo/storyboards", tmp_path / "demo/scenes", tmp_path / "media", False
    )


def render(project: Project, quality: str = "tiny", **env: str) -> subprocess.CompletedProcess:
    old = dict(os.environ)
    os.environ.update(env)
    try:
        return run_cli(project, "--topic", "demo", "--quality", quality, script="render")
    finally:
        os.environ.clear()
        os.environ.update(old)


def test_ffmpeg_missing(demo: Project) -> None:
    proc = render(demo, PATH="/nonexistent")
    assert proc.returncode == 1
    assert (
        proc.stderr.strip()
        == "error: ffmpeg is missing (not found); fix: sudo apt-get install -y ffmpeg"
    )
    assert not demo.media.exists()


def test_fonts_missing(demo: Project, tmp_path: Path) -> None:
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig></fontconfig>'
    )
    proc = render(demo, FONTCONFIG_FILE=str(conf))
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        "error: font Inter is missing (missing); fix: sudo apt-get install -y fonts-inter"
    )
    assert not demo.media.exists()


def test_cairo_missing(demo: Project, tmp_path: Path) -> None:
    fake = tmp_path / "fake" / "cairo"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(
        "raise ImportError('libcairo.so.2: cannot open shared object file: No such file or directory')\n"
    )
    proc = render(demo, PYTHONPATH=str(tmp_path / "fake"))
    assert proc.returncode == 1
    line = proc.stderr.strip()
    assert line.startswith("error: cairo (pycairo) is missing (ImportError: libcairo.so.2")
    assert line.endswith(
        "fix: sudo apt-get install -y libcairo2-dev libpango1.0-dev pkg-config, "
        "then scripts/setup.sh"
    )
    assert not demo.media.exists()


def test_scene_that_raises_keeps_earlier_outputs(demo: Project) -> None:
    assert render(demo).returncode == 0
    out = demo.out_dir("demo", "tiny")
    video_before = (out / "demo.mp4").read_bytes()
    scene = demo.scene_path("demo")
    scene.write_text(
        scene.read_text().replace(
            "    def beat_move(self) -> None:\n",
            "    def beat_move(self) -> None:\n        raise ValueError('boom')\n",
        )
    )
    proc = render(demo)
    assert proc.returncode == 1
    (line,) = proc.stderr.strip().splitlines()[-1:]
    assert line.startswith("error: beat 'move': ValueError: boom (log: ")
    assert "Traceback" not in proc.stderr
    assert (out / "demo.mp4").read_bytes() == video_before
    assert clip_ok(out / "beats/02-move.mp4", 2.5, 10, 256, 144)
    assert "Traceback" in (out / "logs/move.log").read_text()


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs needs root")
def test_disk_full(demo: Project, tmp_path: Path) -> None:
    media = tmp_path / "small"
    media.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(media)]).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        demo = Project(demo.storyboards, demo.scenes, media, False)
        assert render(demo).returncode == 0
        out = demo.out_dir("demo", "tiny")
        before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and p.suffix != ".lock"}
        free = shutil.disk_usage(media).free
        (media / "filler").write_bytes(b"\0" * (free - 48 * 1024))  # leave 48 KB: the disk is full
        proc = render(demo, "preview")
        assert proc.returncode == 1
        assert "No space left on device" in proc.stderr or "disk full" in proc.stderr
        assert "Traceback" not in proc.stderr
        progress = re.compile(r"demo: (rendering |\[\d/3\] \w+: (part .*)?drawn )")
        said = [ln for ln in proc.stderr.strip().splitlines() if not progress.match(ln)]
        assert 1 <= len(said) <= 3, said  # a line per failed worker at most, each naming its beat
        after = {p: p.read_bytes() for p in before}
        assert after == before  # the finished tiny render is untouched
        (media / "filler").unlink()
        again = render(demo, "preview")  # space freed: the same command now completes
        assert again.returncode == 0, again.stderr
    finally:
        subprocess.run(["umount", str(media)])


def test_doctor_lists_fixes(demo: Project) -> None:
    proc = render_doctor(PATH="/nonexistent")
    assert proc.returncode == 1
    assert "ffmpeg" in proc.stdout and "fix: sudo apt-get install -y ffmpeg" in proc.stdout


def render_doctor(**env: str) -> subprocess.CompletedProcess:
    import sys

    exe = Path(sys.executable).with_name("explainers")
    return subprocess.run(
        [str(exe), "doctor"], env={**os.environ, **env}, capture_output=True, text=True
    )
