"""Title, description, chapters and tags against YouTube's limits (no rendering)."""

from __future__ import annotations

import pytest

from explainers.publish import metadata as md
from explainers.publish import shorts


def manifest(seconds: list[float], **extra: object) -> dict:
    """A synthetic manifest with beats of the given lengths."""
    beats, t = [], 0.0
    for i, s in enumerate(seconds):
        beats.append({"id": f"b{i}", "title": f"Beat {i}", "start": t, "duration": s,
                      "file": f"beats/{i + 1:02d}-b{i}.mp4", "narration": f"Beat {i} says one thing."})
        t += s
    return {"topic": "raft", "title": "Raft Consensus Algorithm", "summary": "How servers agree.",
            "tags": ["distributed systems", "consensus"], "duration": t, "beats": beats, **extra}


def test_chapters_from_a_100_second_storyboard() -> None:
    meta = md.build(manifest([14, 12.5, 16, 15, 13, 14.5, 15]))
    assert not meta.warnings
    lines = [ln for ln in meta.description.splitlines() if ln[:1].isdigit()]
    assert lines == ["0:00 Beat 0", "0:14 Beat 1", "0:26 Beat 2", "0:42 Beat 3", "0:57 Beat 4",
                     "1:10 Beat 5", "1:25 Beat 6"]
    # YouTube's rules, checked on what the description says
    starts = [int(ln.split()[0].split(":")[0]) * 60 + int(ln.split()[0].split(":")[1]) for ln in lines]
    assert starts[0] == 0 and len(starts) >= 3 and starts == sorted(starts)
    assert all(b - a >= 10 for a, b in zip(starts, starts[1:] + [100]))
    assert meta.description.startswith("How servers agree.\n\nChapters\n")


def test_chapters_omitted_with_a_reason_when_rules_cannot_hold() -> None:
    demo = md.build(manifest([2, 2.5, 2]))  # the test demo topic: 6.5 s, 3 beats
    assert demo.chapters == [] and "0:00" not in demo.description
    assert any("no chapters" in w and "'Beat 0' 2 s" in w for w in demo.warnings)

    two = md.build(manifest([50, 50]))
    assert two.chapters == [] and any("2 chapter(s)" in w for w in two.warnings)

    one_short = md.build(manifest([20, 9.5, 20, 20, 20]))  # 9.5 s shows as 0:20 -> 0:29
    assert one_short.chapters == [] and any("'Beat 1' 9 s" in w for w in one_short.warnings)


def test_whole_second_rounding_is_what_youtube_sees() -> None:
    # 10.6 s beats: starts 0, 10.6, 21.2 show as 0:00, 0:10, 0:21; all chapters at least 10 s
    assert md.chapter_problems(md.chapter_list(manifest([10.6, 10.6, 10.6])["beats"]), 31.8) == []
    # starts 0, 9.9 -> the first chapter shows 9 s long
    problems = md.chapter_problems(md.chapter_list(manifest([9.9, 20, 20])["beats"]), 49.9)
    assert problems and "9 s" in problems[0]


def test_tags_counted_as_youtube_counts() -> None:
    assert md.tags_length(["Foo Baz"]) == 9  # quoted: "Foo Baz"
    assert md.tags_length(["a", "bb", "c d"]) == 1 + 2 + 5 + 2
    many = [f"distributed systems {i}" for i in range(40)]
    kept, dropped = md.fit_tags(many)
    assert md.tags_length(kept) <= 500 < md.tags_length(kept + dropped[:1])
    assert dropped
    kept, _ = md.fit_tags(["Raft", "raft", " consensus ", "a<b", "x,y"])
    assert kept == ["Raft", "consensus", "a‹b", "x y"]


def test_title_and_description_limits_and_no_angle_brackets() -> None:
    long_title = "Word " * 30 + "<end>"
    m = manifest([20, 20, 20], title=long_title, summary="é" * 4000 + " <b>bold</b> " + "ü" * 2000,
                 tags=["<tag>"] + [f"tag number {i}" for i in range(60)])
    meta = md.build(m)
    assert meta.problems() == []
    assert len(meta.title) <= 100 and meta.title.endswith("…")
    assert len(meta.description.encode()) <= 5000
    assert "Chapters\n0:00 Beat 0" in meta.description  # chapters survive, the summary is cut
    for text in (meta.title, meta.description, ",".join(meta.tags)):
        assert "<" not in text and ">" not in text
    assert any("title adjusted" in w for w in meta.warnings)
    assert any("tags over 500" in w for w in meta.warnings)


def test_video_body_is_what_videos_insert_takes() -> None:
    meta = md.build(manifest([20, 20, 20]))
    body = md.video_body(meta, "unlisted")
    assert body["snippet"]["title"] == "Raft Consensus Algorithm"
    assert body["snippet"]["categoryId"] == "27"
    assert body["snippet"]["tags"] == ["distributed systems", "consensus"]
    assert body["status"] == {"privacyStatus": "unlisted", "selfDeclaredMadeForKids": False,
                              "embeddable": True}


def test_shorts_title_and_span() -> None:
    assert md.shorts_title("Raft") == "Raft #Shorts"
    assert md.shorts_title("x" * 95) == "x" * 95
    beats = manifest([60, 60, 50, 30])["beats"]  # 200 s: three beats end by 170 s
    assert shorts.span(beats, 200) == 170
    assert shorts.span(beats, 100) == 100
    assert shorts.span(manifest([200])["beats"], 200) == 180


@pytest.mark.parametrize("seconds", [[2, 2.5, 2], [14, 12.5, 16, 15, 13, 14.5, 15]])
def test_shorts_cues_match_the_srt_cues(seconds: list[float]) -> None:
    from explainers.captions import cues_for
    from explainers.storyboard import Beat, Storyboard

    m = manifest(seconds)
    board = Storyboard(None, "raft", m["title"], m["summary"], (), tuple(  # type: ignore[arg-type]
        Beat(b["id"], b["title"], b["duration"], b["narration"]) for b in m["beats"]))
    assert shorts.cues(m["beats"], m["duration"]) == cues_for(board)
