"""Figure 8 of the Raft paper, replayed step by step: why a leader never counts old-term replicas.

Scripted with `Cluster`'s control API (who times out and which messages arrive is the script's
choice, as in the paper's figure; every verdict is the model's):

(a) S1 leads term 2 and replicates y (index 2, term 2) to S2 only, then crashes.
(b) S5 wins term 3 with S3 and S4 and appends z at index 2, then crashes.
(c) S1 restarts, wins term 4 and copies y to S3: y is on S1, S2, S3, a majority, yet it is
    not committed, because it is not from S1's current term.
(d) If S1 now crashes, S5 wins term 5 (votes of S2, S3, S4) and overwrites y with z.
(e) If instead S1 first stores w (term 4) on a majority, w commits, y commits with it, and S5
    can no longer win: its last term 3 is behind.
"""

from __future__ import annotations

from explainers.sim.raft import Cluster
from explainers.sim.raft_types import _Faults
from explainers.sim.raft_views import RaftStory, Recorder

_NO_FAULTS = _Faults()


def _elect(c: Cluster, i: int) -> bool:
    """Force i's timeout and deliver the vote round trip; True if i won."""
    c.timeout(i)
    c.deliver_all("RequestVote")
    c.deliver_all("RequestVoteReply")
    return c.servers[i].role == "leader"


def _drop_from(c: Cluster, i: int) -> None:
    """Lose everything server i has in flight (the script's way of cutting it off)."""
    for m in c.in_flight(src=i):
        c.drop(m)


def figure8(branch: str = "e", *, _faults: _Faults = _NO_FAULTS) -> tuple[RaftStory, Cluster]:
    """Replay (a)-(c), then branch "d" or "e"; returns the steps and the cluster for checking."""
    if branch not in ("d", "e"):
        raise ValueError(f"branch must be 'd' or 'e', not {branch!r}")
    c = Cluster(5, seed=8, _faults=_faults)
    r = Recorder(c)
    _elect(c, 1)
    c.client_request(1, "x")
    c.settle()
    c.heartbeat(1)
    c.settle()
    r.step("setup", "Term 1: x everywhere", "S1 led term 1; x is committed at index 1 on all five.")
    c.crash(1)
    c.restart(1)
    _elect(c, 1)
    c.settle()
    c.client_request(1, "y")
    for m in c.in_flight(kind="AppendEntries"):
        (c.deliver if m.dst == 2 else c.drop)(m)
    c.settle()
    r.step("a", "(a) S1 leads term 2", "S1 appends y at index 2 in term 2; only S2 receives it.", 1)
    c.crash(1)
    _elect(c, 5)
    _drop_from(c, 5)
    c.client_request(5, "z", replicate=False)
    r.step(
        "b",
        "(b) S5 leads term 3",
        "S1 crashes. S5 wins term 3 with S3, S4 and itself, and appends z at index 2, term 3.",
        5,
    )
    c.crash(5)
    c.restart(1)
    lost = _elect(c, 1)  # term 3: S3 and S4 already voted for S5
    r.step(
        "c-vote",
        "S1 tries term 3",
        "S5 crashes; S1 restarts and asks for term 3 votes: S3 and S4 already voted for S5.",
        1,
    )
    assert not lost
    _elect(c, 1)
    for m in c.in_flight(kind="AppendEntries"):
        if m.dst == 4:
            c.drop(m)
    c.settle()
    count = len(c.holders(2, 2))
    r.step(
        "c",
        f"(c) y on {count} of 5, not committed",
        f"S1 wins term 4 and copies y to S3. y is now on {count} of 5, a majority, but it is "
        f"from term 2, not 4: commitIndex stays {c.servers[1].commit_index}.",
        1,
    )
    if branch == "d":
        c.crash(1)
        c.restart(5)
        _elect(c, 5)  # term 4: everyone already voted for S1
        _elect(c, 5)
        c.settle()
        r.step(
            "d",
            "(d) S5 overwrites y",
            "S1 crashes. S5 wins term 5 (its last term 3 beats 2 and 1) and replaces y with z "
            "on S2, S3 and S4. Safe: y was never committed.",
            5,
        )
    else:
        c.client_request(1, "w")
        for m in c.in_flight(kind="AppendEntries"):
            if m.dst not in (2, 3):
                c.drop(m)
        c.settle()
        r.step(
            "e",
            "(e) w commits, and y with it",
            f"S1 stores w (term 4) at index 3 on S1, S2, S3: commitIndex "
            f"{c.servers[1].commit_index}. y at index 2 is committed indirectly.",
            1,
        )
        c.crash(1)
        c.restart(5)
        _elect(c, 5)
        won = _elect(c, 5)
        r.step(
            "e-vote",
            "S5 cannot win",
            "S1 crashes. S5 asks for term 5 votes: S2 and S3 refuse, their last term 4 beats 3."
            + (" S5 still became leader!" if won else ""),
            5,
        )
    return RaftStory(8, c.n, c.majority, tuple(r.steps), (), ()), c
