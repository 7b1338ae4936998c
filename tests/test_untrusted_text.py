"""Untrusted text end to end: markup pasted into a storyboard stays text in every output we write."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import DEMO, run_cli
from explainers.project import Project

HOSTILE_TITLE = 'Demo <script>alert(1)</script> "><img src=x onerror=alert(2)>'
HOSTILE_NARRATION = "It moves </track><b>bold</b> & <i>more</i>."


def test_hostile_text_is_text_in_captions_manifest_and_youtube_bundle(tmp_path: Path) -> None:
    shutil.copytree(DEMO, tmp_path / "demo")
    project = Project(tmp_path / "demo/storyboards", tmp_path / "demo/scenes", tmp_path / "media", False)
    board = project.storyboard_path("demo")
    text = board.read_text()
    text = text.replace('title = "Demo explainer"', f"title = '{HOSTILE_TITLE}'")
    text = text.replace('"It slides to the right and turns green."', f'"{HOSTILE_NARRATION}"')
    board.write_text(text)
    proc = run_cli(project, "--topic", "demo", "--quality", "tiny", script="render")
    assert proc.returncode == 0, proc.stderr
    out = project.out_dir("demo", "tiny")

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["title"] == HOSTILE_TITLE  # data keeps the words; each output escapes them
    vtt = (out / "demo.vtt").read_text()
    assert "<b>" not in vtt and "</track>" not in vtt
    assert "It moves &lt;/track&gt;&lt;b&gt;bold&lt;/b&gt; &amp;\n&lt;i&gt;more&lt;/i&gt;." in vtt

    proc = run_cli(project, "publish", "--topic", "demo", "--quality", "tiny", "--preset", "superfast")
    assert proc.returncode == 0, proc.stderr
    bundle = out.parent / "publish"
    for name in ("metadata.json", "description.txt", "demo.srt"):
        body = (bundle / name).read_text()
        assert "<" not in body and ">" not in body.replace(" --> ", ""), name
    assert "00:00:02,125 --> 00:00:04,400" in (bundle / "demo.srt").read_text()
    meta = json.loads((bundle / "metadata.json").read_text())
    assert "script" in json.dumps(meta)  # the words survive, as text
