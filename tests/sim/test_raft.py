"""What the Raft video claims, checked on the model it draws: the rules, the five safety
properties under random failures, and the paper's Figure 8."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from explainers.sim.raft import LEADER, Cluster, Entry
from explainers.sim.raft_check import (
    ChaosRun,
    chaos_run,
    election_safety,
    leader_completeness,
    log_matching,
    state_machine_safety,
)
from explainers.sim.raft_figure8 import figure8
from explainers.sim.raft_types import _Faults

SEEDS = range(200)


def elect(c: Cluster, i: int) -> None:
    """Script: i times out, the votes go round, heartbeats settle."""
    c.timeout(i)
    c.settle()
    assert c.servers[i].role == LEADER


# ---- the rules ---------------------------------------------------------------------------------
def test_same_seed_same_run_and_seeds_differ() -> None:
    def trace(seed: int) -> tuple:
        r = chaos_run(seed, duration=800)
        c = r.cluster
        return tuple(c.outcomes.items()), tuple(c.logs().items()), tuple(c.leader_history)

    assert trace(3) == trace(3)
    assert trace(3) != trace(4)


def test_election_timeouts_are_random_in_150_300_ms() -> None:
    drawn = [s.timeout_ms for seed in range(50) for s in Cluster(5, seed).servers.values()]
    assert all(150 <= t <= 300 for t in drawn)
    assert len(set(drawn)) > 60  # randomized, not one global value


def test_voter_compares_last_term_before_last_index() -> None:
    c = Cluster(3, 0)
    c.servers[1].log = [Entry(1, "a"), Entry(1, "b"), Entry(1, "c")]  # longer, older last term
    c.servers[2].log = [Entry(1, "a"), Entry(2, "d")]  # shorter, newer last term
    c.servers[1].current_term = c.servers[2].current_term = 2
    c.timeout(1)
    out = c.deliver(c.in_flight("RequestVote", dst=2)[0])
    assert (out.ok, out.text) == (False, "refused: log less up to date (last term 1 < 2)")
    c.timeout(2)  # the shorter log wins: its last term is newer
    assert c.deliver(c.in_flight("RequestVote", src=2, dst=1)[0]).ok is True


def test_voter_compares_last_index_when_last_terms_are_equal() -> None:
    c = Cluster(3, 0)
    c.servers[1].log = [Entry(1, "a")]
    c.servers[2].log = [Entry(1, "a"), Entry(1, "b")]
    c.timeout(1)
    out = c.deliver(c.in_flight("RequestVote", dst=2)[0])
    assert out.text == "refused: log less up to date (same last term 1, last index 1 < 2)"
    assert c.deliver(c.in_flight("RequestVote", dst=3)[0]).ok is True  # empty log is behind


def test_one_vote_per_server_per_term() -> None:
    c = Cluster(5, 0)
    c.timeout(1)
    c.timeout(2)  # both candidates in term 1
    assert c.deliver(c.in_flight("RequestVote", src=1, dst=3)[0]).ok is True
    out = c.deliver(c.in_flight("RequestVote", src=2, dst=3)[0])
    assert out.text == "refused: already voted for S1 in term 1"


def test_majority_is_of_all_servers_not_of_live_ones() -> None:
    c = Cluster(5, 0)
    for i in (3, 4, 5):
        c.crash(i)
    c.timeout(1)
    c.settle()
    assert c.servers[1].role != LEADER  # 2 votes: a majority of the live, not of five
    c.restart(3)
    c.timeout(1)
    c.settle()
    assert c.servers[1].role == LEADER


def test_heartbeats_are_empty_append_entries_and_reset_timers() -> None:
    c = Cluster(5, 0)
    elect(c, 1)
    before = c.servers[2].deadline
    c.heartbeat(1)
    hb = c.in_flight(dst=2)[0]
    assert hb.kind == "AppendEntries" and hb.payload.entries == ()
    c.deliver(hb)
    assert c.servers[2].deadline != before and c.servers[2].leader_hint == 1


def test_higher_term_makes_a_leader_step_down() -> None:
    c = Cluster(5, 0)
    elect(c, 1)
    c.partition([1])
    elect(c, 2)  # term 2 among S2..S5
    c.heal()
    c.heartbeat(2)
    c.deliver(c.in_flight(dst=1)[0])
    assert (c.servers[1].role, c.servers[1].current_term, c.leader()) == ("follower", 2, 2)


def test_conflicting_entries_are_deleted_with_all_that_follow() -> None:
    c = Cluster(3, 0)
    c.servers[2].log = [Entry(1, "a"), Entry(2, "stale"), Entry(2, "stale2")]
    c.servers[1].log = [Entry(1, "a"), Entry(3, "new")]
    c.servers[1].current_term = 3
    c.servers[2].current_term = c.servers[3].current_term = 2
    elect(c, 1)
    assert [e.command for e in c.servers[2].log] == ["a", "new"]
    assert any("deleted 2 conflicting" in o.text for o in c.outcomes.values())


def test_restart_keeps_term_vote_and_log_and_forgets_the_rest() -> None:
    c = Cluster(5, 0)
    elect(c, 1)
    c.client_request(1, "x")
    c.settle()
    c.heartbeat(1)
    c.settle()
    s = c.servers[2]
    kept = (s.current_term, s.voted_for, list(s.log))
    assert s.commit_index == 1 and s.state == ["x"]
    c.crash(2)
    c.restart(2)
    assert (s.current_term, s.voted_for, list(s.log)) == kept
    assert (s.commit_index, s.last_applied, s.state, s.role) == (0, 0, [], "follower")


def test_lost_messages_never_arrive() -> None:
    c = Cluster(5, 1, loss=1.0)
    c.run(3000)
    assert c.leader() is None and not c._in_flight
    assert all(o.status == "lost" for o in c.outcomes.values())


# ---- safety under chaos ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def chaos_runs() -> list[ChaosRun]:
    """200 seeded runs of 2.5 s under crashes, partitions, 10% loss and 5-30 ms delays."""
    return [chaos_run(seed) for seed in SEEDS]


def test_safety_properties_hold_over_200_seeds(chaos_runs: list[ChaosRun]) -> None:
    bad = {r.cluster.seed: r.violations()[:3] for r in chaos_runs if r.violations()}
    assert not bad


def test_chaos_runs_exercise_what_they_claim_to(chaos_runs: list[ChaosRun]) -> None:
    """Safety is vacuous if nothing commits, no leader changes and nothing fails."""
    commits = [
        max((e.commit_index for e in r.cluster.commit_history), default=0) for r in chaos_runs
    ]
    leaders = [len(r.cluster.leader_history) for r in chaos_runs]
    assert sum(c > 0 for c in commits) >= 190 and sum(commits) > 2000
    assert sum(n >= 3 for n in leaders) >= 80
    assert sum(r.crashes for r in chaos_runs) > 400 and sum(r.splits for r in chaos_runs) > 200
    lost = sum(o.status == "lost" for r in chaos_runs for o in r.cluster.outcomes.values())
    restarts_applied = sum(
        len({(e.server, e.index) for e in r.cluster.apply_history}) < len(r.cluster.apply_history)
        for r in chaos_runs
    )
    assert lost > 10_000 and restarts_applied > 50  # restarted servers re-apply their logs


@pytest.mark.parametrize(
    ("fault", "checker"),
    [
        ("vote_twice", election_safety),
        ("skip_up_to_date", leader_completeness),
        ("skip_up_to_date", state_machine_safety),
        ("skip_prev_term_check", lambda r: r.log_matching),
    ],
    ids=["vote-twice/election", "no-up-to-date/completeness", "no-up-to-date/state", "no-prev/log"],
)
def test_checkers_catch_a_broken_raft(fault: str, checker: Callable[..., list[str]]) -> None:
    """Each checker must be able to fail: a deliberately broken protocol trips it on some seed."""
    faults = _Faults(**{fault: True})
    for seed in range(100):
        r = chaos_run(seed, _faults=faults)
        if checker(r if fault == "skip_prev_term_check" else r.cluster):
            return
    pytest.fail(f"{fault} never caught in 100 seeds")


def test_log_matching_checker_on_hand_made_logs() -> None:
    a = [Entry(1, "x"), Entry(2, "y")]
    assert log_matching({1: a, 2: [Entry(1, "x"), Entry(2, "y"), Entry(2, "z")]}) == []
    assert log_matching({1: a, 2: [Entry(1, "q"), Entry(2, "y")]})


# ---- Figure 8 ----------------------------------------------------------------------------------
def test_figure8_old_term_entry_on_a_majority_is_not_committed() -> None:
    story, _ = figure8("d")
    at_c = story.step("c")
    holders = [s.id for s in at_c.servers if len(s.log) >= 2 and s.log[1][1:] == (2, "y")]
    assert holders == [1, 2, 3] and len(holders) >= story.majority  # counted: a majority
    assert all(s.commit_index < 2 for s in at_c.servers)  # ... and still not committed
    assert at_c.server(1).role == LEADER and at_c.server(1).term == 4


def test_figure8_d_s5_overwrites_the_uncommitted_entry_safely() -> None:
    story, c = figure8("d")
    end = story.step("d")
    assert end.server(5).role == LEADER and end.server(5).term == 5
    assert all(end.server(i).log[1] == (2, 3, "z") for i in (2, 3, 4, 5))
    assert not (election_safety(c) + leader_completeness(c) + state_machine_safety(c))


def test_figure8_e_current_term_entry_commits_the_old_one_indirectly() -> None:
    story, c = figure8("e")
    e = story.step("e").server(1)
    assert e.commit_index == 3 and e.log[:3] == ((1, 1, "x"), (2, 2, "y"), (3, 4, "w"))
    assert c.commit_history[-1].term == 4 and c.commit_history[-1].prefix[1] == Entry(2, "y")
    vote = story.step("e-vote")
    assert vote.server(5).role == "candidate" and len(vote.server(5).votes) < story.majority
    refusals = [m.outcome for m in vote.of_kind("RequestVote") if m.term == 5 and m.ok is False]
    assert refusals == ["refused: log less up to date (last term 3 < 4)"] * 2


def test_figure8_is_caught_when_a_leader_counts_old_term_replicas() -> None:
    story, c = figure8("d", _faults=_Faults(commit_any_term=True))
    assert story.step("c").server(1).commit_index == 2  # the bug: y counted and committed
    assert leader_completeness(c) and state_machine_safety(c)  # then overwritten in (d)
