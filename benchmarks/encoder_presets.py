"""Which x264 settings for beat clips: CPU seconds and size of one beat under each (a benchmark).

    .venv/bin/python benchmarks/encoder_presets.py --topic rate-limiting --beat bucket [--quality 1080p]

CPU seconds (user + system of the worker process) are what matter on 2 busy cores, and they are
less disturbed by other load than wall time. Each setting renders the same beat in a fresh worker.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = {
    "manim default (medium, crf 23)": "",
    "ultrafast crf 18": "preset=ultrafast,crf=18",
    "superfast crf 18": "preset=superfast,crf=18",
    "veryfast crf 18 tune animation": "preset=veryfast,crf=18,tune=animation",
    "veryfast crf 18 tune animation threads 2": "preset=veryfast,crf=18,tune=animation,threads=2",
    "faster crf 18": "preset=faster,crf=18",
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--topic", default="rate-limiting")
    parser.add_argument("--beat", required=True)
    parser.add_argument("--quality", default="1080p")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="enc-"))
    print(f"{'setting':44} {'cpu s':>7} {'wall s':>7} {'size KB':>8}")
    for name, opts in SETTINGS.items():
        out = work / f"{abs(hash(name))}.mp4"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.monotonic()
        env = {**os.environ, "EXPLAINERS_ENCODER_OPTIONS": opts}
        subprocess.run(
            [
                sys.executable,
                "-m",
                "explainers.worker",
                args.topic,
                args.quality,
                args.beat,
                str(out),
            ],
            env=env,
            check=True,
            cwd=ROOT,
            capture_output=True,
        )
        wall = time.monotonic() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        print(f"{name:44} {cpu:7.1f} {wall:7.1f} {out.stat().st_size / 1024:8.0f}", flush=True)


if __name__ == "__main__":
    main()
