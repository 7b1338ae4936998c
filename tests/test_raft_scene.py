"""The Raft scene against its model: what the beats show and say is what the story's run did.

The scene's helpers turn `story()` steps into the facts on screen; they are checked here against
the model directly. The narration is typed prose, so the names and numbers in it are checked
against the same run: change the seed and these tests say which sentence to rewrite. The last
test draws every beat (fast-forwarded) and checks each last frame's layout.
"""

from __future__ import annotations

import os
import re
from itertools import pairwise
from pathlib import Path

import pytest

from explainers.kit.stage import layout_problems
from explainers.project import ROOT, Project, import_scene_module
from explainers.sim.raft import Cluster
from explainers.sim.raft_views import ServerView

SCENE = import_scene_module(ROOT / "scenes" / "raft.py")
ST = SCENE.STORY
NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}


@pytest.fixture(scope="module")
def board():  # type: ignore[no-untyped-def]
    return Project().load_storyboard("raft")


def said(board, beat: str) -> str:  # type: ignore[no-untyped-def]
    return " ".join(board.beat(beat).narration.split())


# -- the storyboard ------------------------------------------------------------------------------

def test_storyboard_shape_and_scene_methods(board) -> None:  # type: ignore[no-untyped-def]
    assert board.topic == "raft" and board.title == "Raft Consensus Algorithm"
    assert 90 <= board.duration <= 110 and 6 <= len(board.beats) <= 8
    assert all(len(b.narration) <= 20 * b.seconds for b in board.beats)
    assert board.thumbnail in [b.id for b in board.beats]
    _, problems = Project().validate("raft")
    assert problems == []


def test_narration_names_who_the_model_says(board) -> None:  # type: ignore[no-untyped-def]
    first, stale, second = SCENE.ELECTIONS
    lo, hi = Cluster(ST.n, ST.seed).election_timeout
    timeout = said(board, "timeout")
    assert f"{lo} to {hi} ms" in timeout
    assert f"S{first.candidate}'s timer runs out first" in timeout
    assert f"term {first.term}" in timeout
    votes = said(board, "votes")
    assert f"{ST.majority} of {ST.n} votes S{first.candidate} leads term {first.term}" in votes
    x, y = SCENE.REPLICATIONS[:2]  # the video shows the first two commands
    rep = said(board, "replicate")
    index, term, command = x.entry
    assert f"sends {command}" in rep and f"index {index} in term {term}" in rep
    commit = said(board, "commit")
    assert commit.startswith(f"S{ST.who('stale')} crashes")
    assert commit.startswith(f"S{ST.who('stale')} crashes. {y.entry[2]}, an entry of the leader's current term")
    assert y.entry[1] == y.commit.server(y.leader).term
    assert f"reaches {NUMBER_WORDS[len(y.holders())]} of the {NUMBER_WORDS[ST.n]}" in commit
    old = said(board, "stale")
    assert f"leader S{ST.who('first_leader')} crashes" in old
    assert f"S{stale.candidate} returns" in old and f"votes in term {stale.term}" in old
    assert not stale.won
    again = said(board, "reelect")
    assert f"S{second.candidate} wins term {second.term} with {second.votes} of {ST.n} votes" in again
    hb = SCENE.next_step(ST, second.counted)
    missing = [m for m in hb.of_kind("AppendEntries") if m.ok is False]
    assert [f"S{m.dst}" for m in missing] == [f"S{stale.candidate}"]
    assert f"missing index {missing[0].get('prev_log_index')}" in again
    assert f"sends {y.entry[2]} again" in again


# -- facts the beats draw ------------------------------------------------------------------------

def test_elections_read_from_the_story() -> None:
    es = SCENE.ELECTIONS
    assert [e.term for e in es] == [1, 2, 3]
    assert [e.won for e in es] == [True, False, True]
    assert [e.candidate for e in es] == [ST.who("first_leader"), ST.who("stale"),
                                         ST.who("second_leader")]
    first = es[0]
    replies = first.replies()
    assert [m.arrives_at for m in replies] == sorted(m.arrives_at for m in replies)
    assert first.running_votes() == [1, 2, 3, 4, 5]
    # the candidate becomes leader exactly at the reply that makes the majority
    at = first.running_votes().index(ST.majority)
    assert "majority" in replies[at - 1].outcome
    assert es[1].running_votes()[-1] == 1 == es[1].votes
    assert es[2].votes == len(es[2].counted.server(es[2].candidate).votes) >= ST.majority


def test_first_timeout_is_the_shortest_and_timers_run_out_together() -> None:
    start, e = ST.step("start"), SCENE.ELECTIONS[0]
    shortest = min(start.servers, key=lambda v: v.timeout_ms)
    assert shortest.id == e.candidate and e.timeout.time_ms == shortest.timeout_ms
    left = {v.id: SCENE.timer_left(v, e.timeout.time_ms) for v in start.servers}
    assert left[e.candidate] == 0
    assert all(0 < f < 1 for i, f in left.items() if i != e.candidate)
    assert all(SCENE.timer_left(v, 0) == 1 for v in start.servers)
    down = next(v for s in ST.steps for v in s.servers if not v.alive)
    assert SCENE.timer_left(down, 0) is None


def test_stale_candidate_refusals_are_explained_by_the_logs() -> None:
    e = SCENE.ELECTIONS[1]
    me = e.asked.server(e.candidate)
    refused = [m for m in e.requests if m.ok is False]
    assert len(refused) == ST.n - 2  # everyone alive but the candidate itself
    for m in refused:
        voter = e.asked.server(m.dst)
        assert "less up to date" in m.outcome
        assert SCENE.refusal_words(voter, me) == "no · longer log"
        assert voter.term == e.term  # a higher term is adopted even when the vote is refused
    assert SCENE.last_entry(me) == "index 1, term 1"
    view = me.__class__
    newer = view(**{**me.__dict__, "log": ((1, 5, "a=1"),)})
    assert SCENE.refusal_words(newer, me) == "no · newer last term"
    assert isinstance(newer, ServerView)


def test_replications_read_from_the_story() -> None:
    x, y = SCENE.REPLICATIONS[:2]  # the video shows the first two commands
    assert x.leader == y.leader == ST.who("first_leader")
    assert x.prev() == (0, 0) and y.prev() == (x.entry[0], x.entry[1])
    assert x.stored_by() == sorted(i for i in range(1, ST.n + 1) if i != x.leader)
    assert y.lost_at() == [ST.who("stale")]
    assert len(y.holders()) == ST.n - 1 >= ST.majority
    assert (x.commit_index, y.commit_index) == (1, 2)
    assert SCENE.consistency_words("x=1", 0, 0).startswith("x=1 is the first entry")
    assert SCENE.commit_words(y, ST.majority) == "current term 1, on a majority: committed at index 2"
    assert SCENE.commit_words(y, len(y.holders()) + 1) == "index 2 is not committed yet"
    assert "index 1, term 1" in SCENE.consistency_words("y=2", 1, 1)


def test_term_spans_tile_the_timeline_and_crashes_are_found() -> None:
    spans = SCENE.term_spans(ST)
    assert [s.term for s in spans] == [1, 2, 3]
    assert all(a.end == b.start for a, b in pairwise(spans))
    assert [s.leader for s in spans] == [ST.who("first_leader"), None, ST.who("second_leader")]
    crash = SCENE.crash_step(ST, ST.who("first_leader"), spans[0].elected)
    assert crash is not None and spans[0].elected < crash.time_ms < spans[0].end
    assert SCENE.crash_step(ST, ST.who("second_leader")) is None


def test_what_survives_is_every_committed_entry() -> None:
    kept = SCENE.survivors(ST, SCENE.REPAIR)
    leader = SCENE.REPAIR.server(ST.who("second_leader"))
    assert kept == [c for _, _, c in leader.log[: leader.commit_index]] == ["x=1", "y=2"]
    assert SCENE.log_slots(ST, SCENE.REPAIR) == 3


# -- every beat's last frame ---------------------------------------------------------------------

@pytest.mark.render
def test_last_frame_of_every_beat_is_free_of_layout_problems(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Draw every beat fast-forwarded; at each end: text sizes, overlaps, margins, caption band."""
    from manim import tempconfig

    monkeypatch.setenv("EXPLAINERS_FRAMES_DIR", str(tmp_path))
    monkeypatch.setenv("EXPLAINERS_STORYBOARDS", str(ROOT / "storyboards"))
    found: dict[str, list[str]] = {}

    class Checked(SCENE.Raft):  # type: ignore[name-defined,misc]
        def _run_beat(self, beat, target, skipping):  # type: ignore[no-untyped-def]
            super()._run_beat(beat, target, skipping)
            found[beat.id] = layout_problems(self.mobjects, chrome=[self.chrome])

    settings = {"pixel_width": 256, "pixel_height": 144, "frame_rate": 10,
                "media_dir": str(tmp_path), "disable_caching": True, "write_to_movie": False,
                "verbosity": "ERROR", "progress_bar": "none"}
    with tempconfig(settings):
        Checked().render()
    assert list(found) == [b.id for b in Project().load_storyboard("raft").beats]
    assert {k: v for k, v in found.items() if v} == {}
    assert len(list(tmp_path.glob("*.png"))) == len(found)
    assert os.environ["EXPLAINERS_FRAMES_DIR"] == str(tmp_path)
    assert re.fullmatch(r"\d\d-goal\.png", min(p.name for p in tmp_path.glob("*.png")))
