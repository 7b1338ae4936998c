"""Render speed against plain Manim, in one run on this machine (a benchmark, not a test).

    .venv/bin/python benchmarks/render_speed.py --topic raft [--quality 1080p] [--skip-plain]

(a) plain Manim: `manim -qh scenes/<topic>.py <Scene>` in one process with Manim's defaults;
(b) cold `render --topic <topic>` (parallel beats, our encoder settings, empty cache);
(c) re-render after editing one beat's title (the middle beat);
(d) re-render after editing only narration;
(e) `render --force`: every beat again, as after editing the scene's source (the workers are now
    balanced by what each beat cost in (b), and laid-out text is cached).
Prints wall times and ratios, and writes them as JSON next to this file's output folder.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent


def timed(cmd: list[str], env: dict[str, str], cwd: Path) -> float:
    t0 = time.monotonic()
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    elapsed = time.monotonic() - t0
    if proc.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    return elapsed


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topic", default="raft")
    parser.add_argument("--quality", default="1080p", choices=["preview", "720p", "1080p"])
    parser.add_argument("--skip-plain", action="store_true", help="Skip (a), the slowest part.")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-"))
    boards = work / "storyboards"
    shutil.copytree(ROOT / "storyboards", boards)
    env = {
        **os.environ,
        "EXPLAINERS_STORYBOARDS": str(boards),
        "EXPLAINERS_MEDIA": str(work / "media"),
    }
    scene_file = ROOT / "scenes" / f"{args.topic.replace('-', '_')}.py"
    scene_name = re.search(r"^class (\w+)\(ExplainerScene\)", scene_file.read_text(), re.M).group(1)
    flag = {"preview": "-ql", "720p": "-qm", "1080p": "-qh"}[args.quality]
    results: dict[str, float] = {}

    if not args.skip_plain:
        results["plain_manim"] = timed(
            [
                str(VENV_BIN / "manim"),
                flag,
                "--media_dir",
                str(work / "plain"),
                str(scene_file),
                scene_name,
            ],
            env,
            ROOT,
        )
        print(f"(a) plain manim {flag}: {results['plain_manim']:.1f} s", flush=True)

    render = [str(VENV_BIN / "render"), "--topic", args.topic, "--quality", args.quality]
    results["cold"] = timed(render, env, ROOT)
    print(f"(b) render, cold: {results['cold']:.1f} s", flush=True)

    board = boards / f"{args.topic}.toml"
    text = board.read_text()
    titles = list(re.finditer(r'^title = "(.*)"$', text, re.M))[1:]  # skip the explainer title
    middle = titles[len(titles) // 2]
    board.write_text(
        text[: middle.start(1)] + middle.group(1) + " (edited)" + text[middle.end(1) :]
    )
    results["one_beat_edit"] = timed(render, env, ROOT)
    print(
        f"(c) render after editing beat {len(titles) // 2 + 1}'s title: {results['one_beat_edit']:.1f} s",
        flush=True,
    )

    text = board.read_text()
    narration = re.search(r'narration = """\n(.*?)\n"""|narration = "(.*?)"', text, re.S)
    start = narration.start(1) if narration.group(1) is not None else narration.start(2)
    board.write_text(text[:start] + "Edited. " + text[start:])
    results["narration_edit"] = timed(render, env, ROOT)
    print(f"(d) render after a narration-only edit: {results['narration_edit']:.1f} s", flush=True)

    results["force_all"] = timed([*render, "--force"], env, ROOT)
    print(f"(e) render --force (every beat, balanced by (b)'s costs): {results['force_all']:.1f} s")

    duration = json.loads(
        (work / "media" / args.topic / args.quality / "manifest.json").read_text()
    )["duration"]
    print(f"\n{args.topic} at {args.quality}, {duration:g} s of video; {machine()}")
    if "plain_manim" in results:
        print(f"cold render vs plain manim: {results['plain_manim'] / results['cold']:.2f}x faster")
    print(f"cold render vs video length: {results['cold'] / duration:.2f}x real time")
    print(f"one-beat edit: {results['one_beat_edit'] / results['cold']:.0%} of cold")
    print(f"narration-only edit: {results['narration_edit']:.1f} s")
    if "plain_manim" in results:
        print(f"every beat again vs plain manim: {results['plain_manim'] / results['force_all']:.2f}x faster")
    out = ROOT / "benchmarks" / "results" / f"{args.topic}-{args.quality}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "topic": args.topic,
                "quality": args.quality,
                "video_seconds": duration,
                "machine": machine(),
                "wall_seconds": results,
            },
            indent=2,
        )
        + "\n"
    )
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
