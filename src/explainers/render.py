"""Storyboard + scene -> per-beat clips (parallel, cached), the joined video, captions, chapters, manifest."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from explainers import captions, media
from explainers.cache import (
    beat_keys,
    file_hash,
    file_stamp,
    is_fresh,
    read_cache,
    remove_stale,
    scene_unchanged,
    unchanged_since_checked,
    write_cache,
)
from explainers.doctor import require_render_tools
from explainers.plan import CELLS, BeatJob, Piece, other_quality_costs, past_costs, plan_work
from explainers.project import QUALITIES, ROOT, Project, Quality
from explainers.storyboard import Problem, Storyboard, StoryboardError
from explainers.worker import (
    COST_PREFIX,
    ENCODER_OPTIONS_ENV,
    PARENT_ENV,
    deps_path,
)

Progress = Callable[[str], None]


class RenderError(Exception):
    """A render step failed for a reason outside the storyboard (exit code 1)."""


def encoder_settings(quality: Quality) -> dict[str, str]:
    """x264 options for beat clips, chosen by measurement (BENCHMARKS.md).

    ultrafast took 18% less CPU than veryfast for a 14 s Raft beat at 1080p60 (33 vs 41 CPU-s)
    and the slower presets saved no time at all; its files are ~3.5x larger, which is fine for
    clips that the web player and the YouTube master re-encode anyway. CRF 16 keeps flat
    animation visually lossless without ultrafast's deblocking. Independent of --jobs, so changing
    the number of workers never invalidates the cache.
    """
    return {"preset": "ultrafast", "crf": "16"}


def check_scene(project: Project, topic: str, *, imported_before: bool = False) -> Storyboard:
    """Load and validate the storyboard and its scene's beat methods; raise with every problem."""
    board, problems = project.validate(topic, imported_before=imported_before)
    if problems or board is None:
        raise StoryboardError(problems or [Problem(topic, "invalid")])
    return board


def render_topic(
    project: Project,
    topic: str,
    quality_name: str = "1080p",
    *,
    jobs: int | None = None,
    only: list[str] | None = None,
    force: bool = False,
    progress: Progress = lambda line: None,
) -> Path:
    """Render a topic; returns the output folder. Nothing is written before the input is valid."""
    project.load_storyboard(topic)  # storyboard problems first: they need no tools (exit 2)
    require_render_tools()
    out = project.out_dir(topic, quality_name)
    board = check_scene(
        project, topic, imported_before=scene_unchanged(read_cache(out), project.scene_path(topic))
    )
    if only:
        unknown = [b for b in only if b not in {x.id for x in board.beats}]
        if unknown:
            known = ", ".join(b.id for b in board.beats)
            raise StoryboardError(
                [
                    Problem(
                        str(project.storyboard_path(topic)),
                        f"no beat {unknown[0]!r} (beats: {known})",
                        None,
                        "--beats",
                    )
                ]
            )
    quality = QUALITIES[quality_name]
    jobs = max(1, jobs or os.cpu_count() or 1)
    encoder = encoder_settings(quality)
    keys = beat_keys(board, quality, encoder)
    all_jobs = [
        BeatJob(i, beat, start, out / "beats" / f"{i + 1:02d}-{beat.id}.mp4", key)
        for i, (beat, start, key) in enumerate(zip(board.beats, board.starts(), keys))
    ]
    (out / "beats").mkdir(parents=True, exist_ok=True)
    with output_lock(out, progress):
        _clean_leftovers(out)
        return _render_locked(
            project, topic, board, quality, all_jobs, jobs, only, force, encoder, out, progress
        )


@contextlib.contextmanager
def output_lock(out: Path, progress: Progress) -> Iterator[None]:
    """One render per output folder at a time: a second one waits (renders of other topics don't)."""
    with open(out / ".lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            progress(f"waiting: {media_rel(out)} is being rendered by {holder}")
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _clean_leftovers(out: Path) -> None:
    """Partial files and work folders of a render that was killed (we hold the lock: none is live)."""
    beats = out / "beats"
    for path in beats.glob(".*"):
        if path.is_dir() and path.name.startswith(".work-"):
            shutil.rmtree(path, ignore_errors=True)
        elif ".part" in path.name:
            path.unlink(missing_ok=True)
    for path in out.glob(".*.part*"):
        path.unlink(missing_ok=True)


def _render_locked(
    project: Project,
    topic: str,
    board: Storyboard,
    quality: Quality,
    all_jobs: list[BeatJob],
    jobs: int,
    only: list[str] | None,
    force: bool,
    encoder: dict[str, str],
    out: Path,
    progress: Progress,
) -> Path:
    cache = read_cache(out)
    todo = []
    for job in all_jobs:
        if only and job.beat.id not in only:
            continue
        entry = cache.get(job.clip.name)
        fresh = (
            not force
            and is_fresh(entry, job.key)
            and (
                unchanged_since_checked(entry, job.clip)
                or media.clip_ok(
                    job.clip, job.beat.seconds, quality.fps, quality.width, quality.height
                )
            )
        )
        if fresh:
            progress(f"[{job.index + 1}/{len(all_jobs)}] {job.beat.id}: cached")
        else:
            todo.append(job)
    _render_jobs(project, topic, quality, todo, jobs, encoder, out, cache, len(all_jobs), progress)
    remove_stale(out, all_jobs, cache)
    if all(is_fresh(cache.get(j.clip.name), j.key) and j.clip.is_file() for j in all_jobs):
        write_outputs(board, quality.name, out, [j.clip for j in all_jobs], progress)
    else:
        progress("some beats are not rendered yet: the joined video and manifest were not updated")
    return out


def _render_jobs(
    project: Project,
    topic: str,
    quality: Quality,
    todo: list[BeatJob],
    jobs: int,
    encoder: dict[str, str],
    out: Path,
    cache: dict[str, dict],
    total: int,
    progress: Progress,
) -> None:
    if not todo:
        return
    env = {**worker_env(project, encoder), PARENT_ENV: str(os.getpid())}
    failures: list[str] = []
    lock = threading.Lock()
    children: set[subprocess.Popen] = set()
    stopping = threading.Event()
    drawn: dict[int, float] = {}  # wall seconds the workers spent drawing each beat
    parts_dir = out / "beats" / f".work-parts-{os.getpid()}"
    parts_done: dict[int, list[tuple[Piece, Path, float]]] = {}  # kept part, its worker's start

    def run(group: list[Piece]) -> None:
        if stopping.is_set():
            return
        t0 = time.monotonic()
        first = group[0]
        folder = out / "beats" / f".work-group-{first.job.beat.id}-{first.lo}-{os.getpid()}"
        folder.mkdir(parents=True, exist_ok=True)
        ids = ",".join(piece.spec for piece in group)
        cmd = [
            sys.executable,
            "-m",
            "explainers.worker",
            "--beats",
            topic,
            quality.name,
            ids,
            str(folder),
        ]
        proc = subprocess.Popen(
            cmd,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            cwd=str(ROOT),
        )
        with lock:
            children.add(proc)
        try:
            stderr = _follow(proc, group, t0)
            if stopping.is_set():
                return
            if proc.returncode != 0:
                failures.append(_worker_error(first.job, stderr, out))
                return
            for piece in group:
                if piece.whole:
                    _accept_clip(piece.job, folder / piece.clip_name, t0)
                else:
                    _accept_part(piece, folder / piece.clip_name, t0)
        finally:
            with lock:
                children.discard(proc)
            shutil.rmtree(folder, ignore_errors=True)

    def _follow(proc: subprocess.Popen, group: list[Piece], t0: float) -> str:
        """Wait for a worker, saying each beat (or part) as it is drawn; returns its stderr."""
        pieces = {piece.job.beat.id: piece for piece in group}
        lines = []
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line)
            if not line.startswith(COST_PREFIX):
                continue
            beat_id, seconds = line[len(COST_PREFIX) :].split()
            piece = pieces.get(beat_id)
            if piece is None:
                continue
            with lock:
                drawn[piece.job.index] = drawn.get(piece.job.index, 0.0) + float(seconds)
            what = "drawn" if piece.whole else f"part {piece.lo}-{piece.hi}/{CELLS} drawn"
            progress(
                f"[{piece.job.index + 1}/{total}] {beat_id}: {what} "
                f"({time.monotonic() - t0:.1f} s since its worker started)"
            )
        proc.wait()
        return "".join(lines)

    def _accept_clip(job: BeatJob, tmp: Path, t0: float) -> None:
        """Check a worker's clip, move it into place, then record it (in that order)."""
        if not media.clip_ok(tmp, job.beat.seconds, quality.fps, quality.width, quality.height):
            got = media.probe(tmp).duration if tmp.is_file() else 0.0
            failures.append(
                f"beat '{job.beat.id}': clip is {got:.3f} s, expected {job.beat.seconds:g} s"
            )
            return
        deps = json.loads(deps_path(tmp).read_text(encoding="utf-8"))
        os.replace(tmp, job.clip)
        with lock:
            cache[job.clip.name] = {
                "key": job.key,
                "deps": {f: file_hash(Path(f)) for f in deps},
                "checked": file_stamp(job.clip),
                "cost": round(drawn.get(job.index, 0.0), 2),
            }
            write_cache(out, cache)
        progress(
            f"[{job.index + 1}/{total}] {job.beat.id}: rendered in {time.monotonic() - t0:.1f} s"
        )

    def _accept_part(piece: Piece, tmp: Path, t0: float) -> None:
        """Keep a finished part; the one that completes a beat joins them into the beat's clip."""
        job = piece.job
        kept = parts_dir / tmp.name
        parts_dir.mkdir(parents=True, exist_ok=True)
        os.replace(deps_path(tmp), deps_path(kept))
        if tmp.is_file():  # no clip: no animation started in this part
            os.replace(tmp, kept)
        with lock:
            parts_done.setdefault(job.index, []).append((piece, kept, t0))
            done = sorted(parts_done[job.index], key=lambda part: part[0].lo)
            if sum(p.hi - p.lo for p, _, _ in done) < CELLS:
                return
        joined = parts_dir / f"{job.beat.id}.mp4"
        try:
            media.concat([k for _, k, _ in done if k.is_file()], joined)
        except media.MediaError as exc:
            failures.append(f"beat '{job.beat.id}': joining its {len(done)} parts failed: {exc}")
            return
        deps = sorted({f for _, k, _ in done for f in json.loads(deps_path(k).read_text("utf-8"))})
        deps_path(joined).write_text(json.dumps(deps), encoding="utf-8")
        _accept_clip(job, joined, min(t for _, _, t in done))

    groups = plan_work(todo, jobs, past_costs(todo, cache) or other_quality_costs(todo, out))
    cut = Counter(p.job.beat.id for g in groups for p in g if not p.whole)
    progress(
        f"rendering {len(todo)} beat(s) at {quality.name} "
        f"({quality.width}x{quality.height}@{quality.fps}) with {len(groups)} worker(s)"
        + "".join(f"; beat '{b}' in {n} parts" for b, n in cut.items())
    )
    pool = ThreadPoolExecutor(max_workers=len(groups))
    try:
        list(pool.map(run, groups))
    except BaseException:
        stopping.set()
        with lock:
            for child in children:
                child.kill()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(parts_dir, ignore_errors=True)
    if failures:
        # Workers that fast-forwarded through a failing beat report the same beat: say it once.
        unique = {re.sub(r" \(log: .*\)$", "", f): f for f in failures}
        raise RenderError("\n".join(unique.values()))


def worker_env(project: Project, encoder: dict[str, str] | None = None) -> dict[str, str]:
    """Environment of a worker process: this project's folders and the beat encoder settings."""
    env = {**os.environ, **project.env()}
    if encoder:
        env[ENCODER_OPTIONS_ENV] = ",".join(f"{k}={v}" for k, v in encoder.items())
    return env


def worker_reason(stderr: str) -> str:
    """A failed worker's one-line reason: its WORKER-ERROR line, else its last line."""
    line = next(
        (ln for ln in reversed(stderr.splitlines()) if ln.startswith("WORKER-ERROR: ")), None
    )
    return (
        line.removeprefix("WORKER-ERROR: ")
        if line
        else (stderr.strip().splitlines() or ["failed"])[-1]
    )


def _worker_error(job: BeatJob, stderr: str, out: Path) -> str:
    """One clear line from a worker's failure, naming the beat that failed; the log is kept."""
    reason = worker_reason(stderr)
    named = re.match(r"beat '([a-z0-9_]+)'", reason)
    beat = named.group(1) if named else job.beat.id
    log = out / "logs" / f"{beat}.log"
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(stderr, encoding="utf-8")
        where = f" (log: {media_rel(log)})"
    except OSError:  # a full disk must not hide the worker's own reason
        where = ""
    return f"{reason if named else f'beat {beat!r}: {reason}'}{where}"


def media_rel(path: Path) -> str:
    """Path shown to the user, relative to the working directory when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def write_outputs(
    board: Storyboard, quality_name: str, out: Path, clips: list[Path], progress: Progress
) -> None:
    """The joined video, captions, chapters and manifest (each replaced atomically)."""
    quality = QUALITIES[quality_name]
    video = out / f"{board.topic}.mp4"
    stamp = out / "beats" / ".joined"
    joined_from = json.dumps([[c.name, c.stat().st_mtime_ns, c.stat().st_size] for c in clips])
    if not (video.is_file() and stamp.is_file() and stamp.read_text() == joined_from):
        media.concat(clips, video)
        media.write_text_atomic(stamp, joined_from)
    cues = captions.cues_for(board)
    media.write_text_atomic(out / f"{board.topic}.srt", captions.to_srt(cues))
    media.write_text_atomic(out / f"{board.topic}.vtt", captions.to_vtt(cues))
    media.write_text_atomic(out / "chapters.txt", captions.chapters(board))
    media.write_json_atomic(out / "manifest.json", manifest(board, quality, clips))
    progress(f"joined {len(clips)} beats, {board.duration:g} s -> {media_rel(video)}")


def manifest(board: Storyboard, quality: Quality, clips: list[Path]) -> dict:
    """The manifest contract of DESIGN.md."""
    return {
        "topic": board.topic,
        "title": board.title,
        "summary": board.summary,
        "tags": list(board.tags),
        "quality": quality.name,
        "width": quality.width,
        "height": quality.height,
        "fps": quality.fps,
        "duration": board.duration,
        "video": f"{board.topic}.mp4",
        "captions": {"srt": f"{board.topic}.srt", "vtt": f"{board.topic}.vtt"},
        "chapters": "chapters.txt",
        "thumbnail_beat": board.thumbnail,
        "beats": [
            {
                "id": b.id,
                "title": b.title,
                "start": start,
                "duration": b.seconds,
                "file": f"beats/{clip.name}",
                "narration": b.narration,
            }
            for b, start, clip in zip(board.beats, board.starts(), clips)
        ],
    }


def run_worker(project: Project, args: list[str], encoder: dict[str, str] | None = None) -> str:
    """Run one worker process; raise RenderError with its one-line reason on failure."""
    proc = subprocess.run(
        [sys.executable, "-m", "explainers.worker", *args],
        env=worker_env(project, encoder),
        capture_output=True,
        text=True,
        cwd=str(ROOT),
        check=False,
    )
    if proc.returncode != 0:
        raise RenderError(worker_reason(proc.stderr))
    return proc.stderr


def last_frames(
    project: Project, topic: str, quality_name: str, folder: Path | None = None
) -> list[Path]:
    """Last frame of every beat as PNG, fast-forwarded without encoding (for looking and golden tests)."""
    board = check_scene(project, topic)
    folder = folder or project.out_dir(topic, quality_name) / "frames"
    for old in folder.glob("*.png"):
        old.unlink()
    run_worker(project, ["--frames", topic, quality_name, str(folder)])
    frames = [folder / f"{i + 1:02d}-{b.id}.png" for i, b in enumerate(board.beats)]
    missing = [f.name for f in frames if not f.is_file()]
    if missing:
        raise RenderError(f"no frame written for {', '.join(missing)}")
    return frames
