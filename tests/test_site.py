"""`explainers site` and `serve` without a browser: pages, escaping, web clips checked with ffprobe."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import ffmpeg
import markupsafe
import numpy as np
import pytest

from explainers import captions
from explainers.project import QUALITIES, Project
from explainers.site.build import environment, web_size
from explainers.site.clips import encode_web_clip
from explainers.site.manifests import SiteError, catalog_order, find_manifests, read_manifest

NETWORK = re.compile(r'(?:src|href|action)="(?:[a-z]+:)?//', re.IGNORECASE)  # any URL with a host
HOSTILE = '<script>alert("x")</script> & </script><img src=x onerror=alert(1)>'


def explainers(project: Project, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run `explainers ARGS` of this venv against a project."""
    exe = Path(sys.executable).with_name("explainers")
    return subprocess.run([str(exe), *args], env={**os.environ, **project.env()},
                          capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture(scope="module")
def site(demo_project: Project, demo_media: Path) -> Path:
    """media/site/ built by the real command from the session's tiny demo render."""
    proc = explainers(demo_project, "site", "--quality", "tiny")
    assert proc.returncode == 0, proc.stderr
    assert "site with 1 topic(s)" in proc.stdout
    return demo_media / "site"


def copy_render(demo_media: Path, media: Path, topic: str, **changes: object) -> Path:
    """A fake render of `topic` made from the demo's tiny render, with manifest fields changed."""
    out = media / topic / "tiny"
    shutil.copytree(demo_media / "demo" / "tiny", out)
    manifest = json.loads((out / "manifest.json").read_text())
    manifest.update(topic=topic, **changes)
    (out / "manifest.json").write_text(json.dumps(manifest))
    return out


def top_level_boxes(path: Path) -> list[str]:
    """The MP4's top-level box types in file order (ftyp, moov, mdat, ...)."""
    data, boxes, at = path.read_bytes(), [], 0
    while at + 8 <= len(data):
        size = int.from_bytes(data[at:at + 4], "big")
        boxes.append(data[at + 4:at + 8].decode("latin-1"))
        if size == 1:
            size = int.from_bytes(data[at + 8:at + 16], "big")
        if size < 8:
            break
        at += size
    return boxes


def frames_rgb(path: Path) -> np.ndarray:
    """Every decoded frame as RGB, shape (frames, h, w, 3) (ffmpeg honours the colour tags)."""
    raw, _ = (ffmpeg.input(str(path)).output("pipe:", format="rawvideo", pix_fmt="rgb24")
              .run(capture_stdout=True, capture_stderr=True))
    info = ffmpeg.probe(str(path))["streams"][0]
    return np.frombuffer(raw, np.uint8).reshape(-1, info["height"], info["width"], 3).astype(int)


def test_catalog_page(site: Path) -> None:
    page = (site / "index.html").read_text()
    assert '<h1 class="site-title">Visual Explainers</h1>' in page
    assert "Use arrow keys or swipe to navigate." in page
    assert '<a href="demo/index.html">Demo explainer</a>' in page
    assert "A three-beat topic the tests render at a tiny size" in page  # the manifest's summary
    assert '<img src="demo/thumb.png" alt="" width="256" height="144"' in page
    assert "0:06" in page and "3 beats" in page
    assert not NETWORK.search(page)  # nothing from the network
    assert (site / "demo" / "thumb.png").is_file()


def test_player_page(site: Path) -> None:
    page = (site / "demo" / "index.html").read_text()
    assert len(re.findall(r'<section class="slide[ "]', page)) == 3
    for n, beat in enumerate(("intro", "move", "outro"), start=1):
        stem = f"0{n}-{beat}"
        poster = f'poster="posters/{stem}.png" ' if n == 1 else ""  # the script sets the others
        assert (f'<video class="clip" src="clips/{stem}.mp4" {poster}data-poster="posters/{stem}.png" '
                f'width="256" height="144" preload="none" muted playsinline controls>') in page
        assert (f'<track kind="captions" srclang="en" label="English" '
                f'src="captions/{stem}.vtt">') in page
        for sub, suffix in (("clips", "mp4"), ("posters", "png"), ("captions", "vtt")):
            assert (site / "demo" / sub / f"{stem}.{suffix}").is_file()
    assert 'aria-live="polite"' in page and 'tabindex="0"' in page
    assert re.search(r'<script src="\.\./_static/player\.js\?v=[0-9a-f]{10}"></script>', page)
    assert re.search(r'<link rel="stylesheet" href="\.\./_static/site\.css\?v=[0-9a-f]{10}">', page)
    assert not NETWORK.search(page)
    data = json.loads(re.search(r'<script type="application/json" id="vx-data">(.*?)</script>',
                                page, re.DOTALL).group(1))
    assert [b["id"] for b in data["beats"]] == ["intro", "move", "outro"]
    assert data["beats"][1]["cues"] == [[0.125, 2.4, "It slides to the right and turns green."]]
    for name in ("player.js", "site.css"):
        assert (site / "_static" / name).is_file()
    css = (site / "_static" / "site.css").read_text()
    assert "@import" not in css and "url(http" not in css and 'local("Inter")' in css


def test_web_clips_are_made_for_the_web(site: Path, demo_media: Path) -> None:
    manifest = json.loads((demo_media / "demo" / "tiny" / "manifest.json").read_text())
    for beat in manifest["beats"]:
        clip = site / "demo" / "clips" / Path(beat["file"]).name
        data = ffmpeg.probe(str(clip), show_entries="frame=key_frame,pts_time")
        (video,) = data["streams"]  # no audio stream
        assert (video["codec_name"], video["profile"], video["pix_fmt"]) == ("h264", "High", "yuv420p")
        assert (video["width"], video["height"], video["r_frame_rate"]) == (256, 144, "10/1")
        assert [video[k] for k in ("color_space", "color_primaries", "color_transfer")] == ["bt709"] * 3
        assert video["color_range"] == "tv"
        assert abs(float(data["format"]["duration"]) - beat["duration"]) <= 0.1 + 1e-6
        keys = [round(float(f["pts_time"]), 2) for f in data["frames"] if f["key_frame"] == 1]
        assert keys == [float(s) for s in range(int(beat["duration"] - 1e-6) + 1)]  # every second
        boxes = top_level_boxes(clip)
        assert boxes.index("moov") < boxes.index("mdat")  # fast start


def test_web_clips_keep_the_colours_and_posters_are_last_frames(site: Path, demo_media: Path) -> None:
    source = demo_media / "demo" / "tiny" / "beats" / "02-move.mp4"
    clip = site / "demo" / "clips" / "02-move.mp4"
    # Manim's clip is untagged BT.601, the web clip tagged BT.709: decoded, the pixels agree.
    original, web = frames_rgb(source), frames_rgb(clip)
    assert len(original) == len(web) == 25
    assert np.abs(original - web).mean() < 2.0
    poster = frames_rgb(site / "demo" / "posters" / "02-move.png")[0]
    assert np.abs(poster - original[-1]).mean() < 2.0  # the last frame...
    assert np.abs(poster - original[0]).mean() > 2.0  # ...not the first


def test_beat_captions_match_the_topic_captions(site: Path, demo_project: Project) -> None:
    board = demo_project.load_storyboard("demo")
    for beat, start in zip(board.beats, board.starts()):
        n = board.index(beat.id) + 1
        vtt = (site / "demo" / "captions" / f"0{n}-{beat.id}.vtt").read_text()
        expected = captions.to_vtt(captions.shift(captions.beat_cues(beat, start), -start))
        assert vtt == expected and vtt.startswith("WEBVTT\n")
        stamps = re.findall(r"(\d\d):(\d\d):(\d\d)\.(\d{3}) --> (\d\d):(\d\d):(\d\d)\.(\d{3})", vtt)
        first = stamps[0]
        assert int(first[2]) == 0 and int(first[3]) < 500  # starts with its clip, not the topic
        end = stamps[-1]
        assert int(end[6]) + int(end[7]) / 1000 <= beat.seconds


def test_storyboard_text_is_escaped_everywhere(demo_media: Path, tmp_path: Path) -> None:
    media = tmp_path / "media"
    manifest = json.loads((demo_media / "demo" / "tiny" / "manifest.json").read_text())
    beats = [dict(b, title=HOSTILE, narration=HOSTILE) for b in manifest["beats"]]
    copy_render(demo_media, media, "raft", title=HOSTILE, summary=HOSTILE, tags=[HOSTILE],
                beats=beats)
    project = Project(tmp_path / "none", tmp_path / "none", media, length_rules=False)
    proc = explainers(project, "site", "--quality", "tiny")
    assert proc.returncode == 0, proc.stderr
    escaped = str(markupsafe.escape(HOSTILE))
    for page in (media / "site" / "index.html", media / "site" / "raft" / "index.html"):
        text = page.read_text()
        assert "<script>alert" not in text and "<img src=x" not in text
        assert escaped in text
    player = (media / "site" / "raft" / "index.html").read_text()
    data = re.search(r'id="vx-data">(.*?)</script>', player, re.DOTALL).group(1)
    assert "</script" not in data.lower() and "<" not in data  # JSON escapes < as \u003c
    assert json.loads(data)["beats"][0]["title"] == HOSTILE
    cue_text = json.loads(data)["beats"][0]["cues"][0][2]
    assert "<" not in cue_text and "&lt;script&gt;" in cue_text  # VTT cue text is escaped too
    vtt = (media / "site" / "raft" / "captions" / "01-intro.vtt").read_text()
    assert "<script>" not in vtt and "&lt;script&gt;" in vtt


def test_templates_are_package_data_with_autoescape() -> None:
    env = environment()
    assert env.autoescape is True
    assert set(env.list_templates()) >= {"base.html", "catalog.html", "player.html"}
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"


def test_catalog_order_is_the_seed_order_then_others() -> None:
    assert catalog_order(["zeta", "raft", "demo", "rate-limiting", "tokenization"]) == [
        "rate-limiting", "raft", "tokenization", "demo", "zeta"]


def test_order_cache_and_stale_topics(demo_media: Path, tmp_path: Path) -> None:
    media = tmp_path / "media"
    for topic in ("demo", "raft", "rate-limiting"):
        copy_render(demo_media, media, topic, title=f"Title of {topic}")
    project = Project(tmp_path / "none", tmp_path / "none", media, length_rules=False)
    proc = explainers(project, "site", "--quality", "tiny")
    assert proc.returncode == 0, proc.stderr
    catalog = (media / "site" / "index.html").read_text()
    order = re.findall(r'<li class="card" data-topic="([a-z-]+)">', catalog)
    assert order == ["rate-limiting", "raft", "demo"]
    assert 'href="../raft/index.html"' in (media / "site" / "rate-limiting" / "index.html").read_text()
    clip = media / "site" / "raft" / "clips" / "01-intro.mp4"
    stamp = clip.stat().st_mtime_ns
    shutil.rmtree(media / "demo")
    proc = explainers(project, "site", "--quality", "tiny")
    assert proc.returncode == 0, proc.stderr
    assert "0 web clip(s) encoded, 6 reused" in proc.stdout  # nothing re-encoded
    assert clip.stat().st_mtime_ns == stamp
    assert not (media / "site" / "demo").exists()  # no longer rendered: removed
    assert 'data-topic="demo"' not in (media / "site" / "index.html").read_text()


def test_bad_manifests_are_bad_input(demo_media: Path, tmp_path: Path) -> None:
    media = tmp_path / "media"
    out = copy_render(demo_media, media, "raft", beats=[
        {"id": "../up", "title": "x", "start": 0, "duration": 1, "file": "beats/01-intro.mp4",
         "narration": ""},
        {"id": "ok", "title": "", "start": 0, "duration": -1, "file": "../../../etc/passwd",
         "narration": ""},
    ])
    project = Project(tmp_path / "none", tmp_path / "none", media, length_rules=False)
    proc = explainers(project, "site", "--quality", "tiny")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert all(line.startswith("error: media/raft/tiny/manifest.json: ") for line in lines)
    assert "thumbnail_beat: 'move' is not one of the beats" in proc.stderr
    assert "beats[1].id: invalid beat id '../up'" in proc.stderr
    assert "beats[2].file: must be a path inside tiny/" in proc.stderr
    assert "beats[2].title" in proc.stderr and "beats[2].duration" in proc.stderr
    (out / "manifest.json").write_text("{not json")
    with pytest.raises(SiteError, match="unreadable manifest"):
        read_manifest(out / "manifest.json")


def test_nothing_rendered_at_that_quality(demo_project: Project, demo_media: Path) -> None:
    proc = explainers(demo_project, "site", "--quality", "720p")
    assert proc.returncode == 2
    assert "rendered at 720p or 1080p or 4k" in proc.stderr
    assert "explainers render --topic TOPIC --quality 720p" in proc.stderr
    assert "tiny" not in explainers(demo_project, "site", "--help").stdout


def test_serve_binds_localhost_serves_ranges_and_stops(site: Path, demo_project: Project) -> None:
    exe = Path(sys.executable).with_name("explainers")
    proc = subprocess.Popen([str(exe), "serve", "--port", "0"], env={**os.environ, **demo_project.env()},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert match, line + proc.stderr.read() if proc.poll() is not None else line
        url = match.group(0)
        with urllib.request.urlopen(url) as response:
            assert response.status == 200 and b"Visual Explainers" in response.read()
        with urllib.request.urlopen(url + "demo/captions/01-intro.vtt") as response:
            assert response.headers["Content-Type"].startswith("text/vtt")
        clip = (site / "demo" / "clips" / "01-intro.mp4").read_bytes()
        request = urllib.request.Request(url + "demo/clips/01-intro.mp4", headers={"Range": "bytes=100-199"})
        with urllib.request.urlopen(request) as response:
            assert response.status == 206
            assert response.headers["Content-Range"] == f"bytes 100-199/{len(clip)}"
            assert response.headers["Content-Type"] == "video/mp4"
            assert response.read() == clip[100:200]
        request = urllib.request.Request(url + "demo/clips/01-intro.mp4", headers={"Range": "bytes=-10"})
        with urllib.request.urlopen(request) as response:
            assert response.read() == clip[-10:]
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(urllib.request.Request(
                url + "demo/clips/01-intro.mp4", headers={"Range": f"bytes={len(clip)}-"}))
        assert err.value.code == 416
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(url + "../../manifest.json")
        assert err.value.code == 404
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0


def test_serve_without_a_site_is_bad_input(tmp_path: Path) -> None:
    project = Project(tmp_path, tmp_path, tmp_path / "media", length_rules=False)
    proc = explainers(project, "serve", "--port", "0")
    assert proc.returncode == 2
    assert "no site in" in proc.stderr and "explainers site" in proc.stderr


def test_a_720p_site_can_come_from_a_1080p_render(demo_media: Path, tmp_path: Path) -> None:
    media = tmp_path / "media"
    for folder in ("raft/1080p", "raft/4k", "quorum/720p", "quorum/1080p", "gossip/preview"):
        (media / folder).mkdir(parents=True)
        (media / folder / "manifest.json").write_text("{}")
    project = Project(tmp_path, tmp_path, media, length_rules=False)
    picked = [str(p.relative_to(media)) for p in find_manifests(project, "720p")]
    assert picked == ["quorum/720p/manifest.json", "raft/1080p/manifest.json"]  # catalog order
    assert [str(p.relative_to(media)) for p in find_manifests(project, "1080p")] == [
        "quorum/1080p/manifest.json", "raft/1080p/manifest.json"]
    rendered = read_manifest(demo_media / "demo" / "tiny" / "manifest.json")
    big = dataclasses.replace(rendered, width=1920, height=1080, fps=60)
    assert web_size(big, QUALITIES["720p"]) == (1280, 720, 30)
    assert web_size(big, QUALITIES["1080p"]) == (1920, 1080, 60)
    assert web_size(rendered, QUALITIES["720p"]) == (256, 144, 10)  # never scaled up
    # The scaling path itself: a smaller, slower clip, still BT.709 and a keyframe a second.
    out = tmp_path / "small.mp4"
    encode_web_clip(demo_media / "demo" / "tiny" / "beats" / "02-move.mp4", out, 128, 72, 5)
    data = ffmpeg.probe(str(out), show_entries="frame=key_frame,pts_time")
    (video,) = data["streams"]
    assert (video["width"], video["height"], video["r_frame_rate"]) == (128, 72, "5/1")
    assert video["color_space"] == "bt709" and video["pix_fmt"] == "yuv420p"
    keys = [round(float(f["pts_time"]), 2) for f in data["frames"] if f["key_frame"] == 1]
    assert keys == [0.0, 1.0, 2.0]
