"""`explainers publish` on the tiny demo render: every file of the bundle, checked like data."""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path

import ffmpeg
import numpy as np
import pytest
from conftest import run_cli
from PIL import Image

from explainers.kit import theme
from explainers.project import Project
from explainers.publish import checks, shorts, thumbnail

FPS, DURATION = 10, 6.5


@pytest.fixture(scope="module")
def published(demo_media: Path, demo_project: Project) -> tuple[Path, str, str]:
    """The demo bundle, published once: (folder, stdout, stderr)."""
    proc = run_cli(demo_project, "publish", "--topic", "demo", "--quality", "tiny",
                   "--preset", "veryfast")
    assert proc.returncode == 0, proc.stderr
    return demo_media / "demo" / "publish", proc.stdout, proc.stderr


def top_level_boxes(path: Path) -> list[str]:
    data = path.read_bytes()
    out, pos = [], 0
    while pos + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if size == 1:
            size = struct.unpack(">Q", data[pos + 8:pos + 16])[0]
        out.append(kind.decode())
        pos += size
    return out


def test_bundle_files_and_summary(published: tuple[Path, str, str]) -> None:
    folder, out, err = published
    names = {p.name for p in folder.iterdir() if not p.name.startswith(".")}
    assert names == {"demo.youtube.mp4", "demo.shorts.mp4", "thumbnail.jpg", "demo.srt",
                     "description.txt", "metadata.json"}
    assert "19/19 YouTube checks pass" in out
    assert "warning: demo: no chapters in the description" in err  # 2 s beats cannot be chapters


def test_master_meets_youtube_recommended_settings(published: tuple[Path, str, str]) -> None:
    video = published[0] / "demo.youtube.mp4"
    info = ffmpeg.probe(str(video))
    v = next(s for s in info["streams"] if s["codec_type"] == "video")
    a = next(s for s in info["streams"] if s["codec_type"] == "audio")
    assert (v["codec_name"], v["profile"], v["pix_fmt"]) == ("h264", "High", "yuv420p")
    assert v.get("field_order", "progressive") == "progressive"
    assert (v["width"], v["height"], v["avg_frame_rate"]) == (256, 144, "10/1")  # as rendered
    assert (v["color_space"], v["color_primaries"], v["color_transfer"], v["color_range"]) == \
        ("bt709", "bt709", "bt709", "tv")
    assert (a["codec_name"], a["profile"], a["sample_rate"], a["channels"]) == ("aac", "LC", "48000", 2)
    assert float(v["start_time"]) == 0.0
    assert abs(float(info["format"]["duration"]) - DURATION) <= 1 / FPS
    assert abs(float(v["duration"]) - DURATION) <= 1 / FPS
    assert float(a["duration"]) <= DURATION

    boxes = top_level_boxes(video)
    assert boxes.index("moov") < boxes.index("mdat")  # fast start
    assert b"elst" not in video.read_bytes()  # no edit list anywhere

    frames = ffmpeg.probe(str(video), select_streams="v:0", show_frames=None,
                          show_entries="frame=pict_type,key_frame")["frames"]
    types = "".join(f["pict_type"] for f in frames)
    keys = [i for i, f in enumerate(frames) if f["key_frame"] == 1]
    assert keys == list(range(0, len(frames), FPS // 2))  # closed GOP of half the frame rate
    assert "B" in types and "BBB" not in types  # 2 consecutive B-frames at most
    x264 = checks.x264_settings(video)
    assert (x264["cabac"], x264["bframes"], x264["open_gop"], x264["keyint"], x264["rc"]) == \
        ("1", "2", "0", "5", "crf")

    silence = ffmpeg.input(str(video)).audio.filter("volumedetect").output("-", format="null")
    _, log = silence.run(capture_stderr=True)
    peak = float(re.search(rb"max_volume: (-?[\d.]+|-inf) dB", log).group(1))
    assert peak <= -90


def test_master_shows_the_rendered_colours(published: tuple[Path, str, str],
                                           demo_media: Path) -> None:
    """Decoded as BT.709, the master matches the render decoded as it was made (BT.601)."""
    master = checks.frame_rgb(published[0] / "demo.youtube.mp4", 3.0, "bt709").astype(int)
    source = checks.frame_rgb(demo_media / "demo" / "tiny" / "demo.mp4", 3.0, "bt601").astype(int)
    assert np.abs(master - source).mean() < 2.0
    bg = np.array(Image.new("RGB", (1, 1), theme.BG).getpixel((0, 0)))
    assert np.abs(master[70, 20] - bg).max() <= 3


def test_metadata_and_description(published: tuple[Path, str, str], demo_media: Path) -> None:
    folder = published[0]
    meta = json.loads((folder / "metadata.json").read_text())
    description = (folder / "description.txt").read_text()
    snippet = meta["video"]["snippet"]
    assert snippet["title"] == "Demo explainer"
    assert snippet["description"] == description
    assert snippet["tags"] == ["test", "demo"]
    assert meta["video"]["status"]["privacyStatus"] == "private"
    assert meta["chapters"] == [] and "0:00" not in description
    assert meta["limits"] == {"title_chars": "14/100", "description_bytes": f"{len(description.encode())}/5000",
                              "tags_chars": "9/500"}
    assert meta["files"]["video"] == "demo.youtube.mp4"
    assert all(ok for ok in meta["checks"]["demo.youtube.mp4"].values())
    # captions for upload are the render's SRT, plain SubRip
    srt = (folder / "demo.srt").read_text()
    assert srt == (demo_media / "demo" / "tiny" / "demo.srt").read_text()
    assert srt.startswith("1\n00:00:00,") and "<" not in srt


def test_thumbnail(published: tuple[Path, str, str], demo_media: Path, tmp_path: Path) -> None:
    path = published[0] / "thumbnail.jpg"
    with Image.open(path) as im:
        assert (im.format, im.size) == ("JPEG", (1280, 720))
        pixels = np.asarray(im.convert("RGB")).astype(int)
    assert path.stat().st_size < 2 * 1024 * 1024
    meta = json.loads((published[0] / "metadata.json").read_text())
    assert meta["thumbnail"]["beat"] == "move"  # the storyboard names it
    assert meta["thumbnail"]["title_px"] * 320 / 1280 >= 18  # legible at 320 px wide
    # The title is set bottom-left in ink: bright pixels there, none in the frame's empty top-left
    ink = np.array(Image.new("RGB", (1, 1), theme.INK).getpixel((0, 0)))
    title_area = pixels[540:660, 64:700]
    assert (np.abs(title_area - ink).max(axis=2) < 40).mean() > 0.15
    assert (np.abs(pixels[40:200, 40:600] - ink).max(axis=2) < 40).mean() == 0

    # Without a named beat: the fullest last frame among the beats after the first
    manifest = json.loads((demo_media / "demo" / "tiny" / "manifest.json").read_text())
    manifest["thumbnail_beat"] = None
    made = thumbnail.make(manifest, demo_media / "demo" / "tiny", tmp_path / "t.jpg")
    assert made.beat in ("move", "outro") and "fullest" in made.reason


def test_shorts(published: tuple[Path, str, str]) -> None:
    video = published[0] / "demo.shorts.mp4"
    found = checks.check_video(video, width=1080, height=1920, fps=FPS, duration=DURATION)
    assert all(c.ok for c in found), [str(c) for c in found if not c.ok]
    assert float(ffmpeg.probe(str(video))["format"]["duration"]) <= shorts.MAX_SECONDS

    layout = shorts.Layout.for_source(256, 144)
    assert (layout.video_top, layout.video_height) == (656, 608)
    bg = np.array(Image.new("RGB", (1, 1), theme.BG).getpixel((0, 0)))
    ink = np.array(Image.new("RGB", (1, 1), theme.INK).getpixel((0, 0)))

    def inked(frame: np.ndarray, top: int, bottom: int) -> float:
        return float((np.abs(frame[top:bottom].astype(int) - ink).max(axis=2) < 60).mean())

    before = checks.frame_rgb(video, 0.0, "bt709")  # no caption yet (the first starts at 0.1 s)
    during = checks.frame_rgb(video, 1.0, "bt709")  # "A blue square appears."
    assert inked(during, 0, layout.video_top) > 0.01  # the title above the video
    assert inked(before, layout.caption_top, layout.caption_top + 200) == 0
    assert inked(during, layout.caption_top, layout.caption_top + 200) > 0.01
    assert np.abs(during[100, 540].astype(int) - bg).max() <= 3  # canvas colour survives BT.709
    assert np.abs(during[1800, 20].astype(int) - bg).max() <= 3


def test_publish_again_reuses_the_encodes(published: tuple[Path, str, str],
                                          demo_project: Project) -> None:
    proc = run_cli(demo_project, "publish", "--topic", "demo", "--quality", "tiny",
                   "--preset", "veryfast")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("unchanged, kept") == 2


def test_quality_not_rendered_names_the_render_command(demo_media: Path,
                                                       demo_project: Project) -> None:
    proc = run_cli(demo_project, "publish", "--topic", "demo", "--quality", "720p")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        ("error: demo is not rendered at 720p (rendered: tiny); "
         "run: render --topic demo --quality 720p")]


def test_stale_render_is_refused(demo_media: Path, demo_project: Project, tmp_path: Path) -> None:
    boards = tmp_path / "storyboards"
    boards.mkdir()
    text = (demo_project.storyboards / "demo.toml").read_text()
    (boards / "demo.toml").write_text(text.replace('title = "Demo explainer"', 'title = "Renamed"'))
    stale = Project(boards, demo_project.scenes, demo_project.media, length_rules=False)
    proc = run_cli(stale, "publish", "--topic", "demo", "--quality", "tiny")
    assert proc.returncode == 2
    assert "older than its storyboard (title changed); run: render --topic demo --quality tiny" \
        in proc.stderr


def test_bad_requests_exit_2(demo_project: Project) -> None:
    for args in (["--topic", "nope"], ["--topic", "demo", "--privacy", "public"], []):
        proc = run_cli(demo_project, "publish", "--quality", "tiny", *args)
        assert proc.returncode == 2, (args, proc.stderr)
        assert "Traceback" not in proc.stderr


def test_upload_from_the_command_line_with_mocks(published: tuple[Path, str, str],
                                                 demo_project: Project, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """--upload end to end in-process: stored token, mocked API; the token never shows."""
    from click.testing import CliRunner
    from googleapiclient.discovery import build
    from googleapiclient.http import HttpMockSequence

    from explainers.cli import explainers
    from explainers.publish import youtube

    token = tmp_path / "config" / "youtube-token.json"
    youtube.write_private(token, json.dumps({
        "token": "ya29.SECRET-ACCESS", "refresh_token": "1//SECRET-REFRESH",
        "client_id": "cid.apps.googleusercontent.com", "client_secret": "SECRET-CLIENT",
        "scopes": list(youtube.SCOPES), "expiry": "2999-01-01T00:00:00Z"}))
    http = HttpMockSequence([
        ({"status": "200", "location": "https://upload.test/session"}, ""),
        ({"status": "200"}, json.dumps({"id": "VID123", "status": {"privacyStatus": "unlisted"}})),
        ({"status": "200"}, "{}"),
        ({"status": "200"}, json.dumps({"id": "CAP1"})),
    ])
    built = []

    def fake_service(creds: object) -> object:
        assert creds.refresh_token == "1//SECRET-REFRESH"  # the stored token was used
        built.append(creds)
        return build("youtube", "v3", http=http)

    monkeypatch.setattr(youtube, "service", fake_service)
    from google.auth.transport import requests as transport

    monkeypatch.setattr(transport.Request, "__call__",
                        lambda *a, **k: pytest.fail("network request attempted"))
    monkeypatch.setenv(youtube.TOKEN_ENV, str(token))
    folder = published[0]
    try:
        result = CliRunner().invoke(explainers, [
            "publish", "--topic", "demo", "--quality", "tiny", "--preset", "veryfast", "--upload",
            "--privacy", "unlisted"], env=demo_project.env(), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert "on YouTube: https://youtu.be/VID123 (unlisted)" in result.output
        for secret in ("SECRET-ACCESS", "SECRET-REFRESH", "SECRET-CLIENT"):
            assert secret not in result.output
        assert len(built) == 1 and len(http.request_sequence) == 4
        body = json.loads(http.request_sequence[0][2])
        assert body["snippet"]["title"] == "Demo explainer"
        assert body["status"]["privacyStatus"] == "unlisted"
        record = json.loads((folder / "upload.json").read_text())
        assert (record["video_id"], record["thumbnail"], record["captions"]) == ("VID123", True, True)
    finally:
        (folder / "upload.json").unlink(missing_ok=True)
