"""Raft's safety properties as checkers over a run's history, and a seeded chaos run to feed them.

Each checker returns a list of human-readable violations (empty means the property held), so a
failing test prints what went wrong. They read only what the model recorded: who became leader
in which term with which log, what each leader committed, what each server applied.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from explainers.sim.raft import LEADER, Cluster
from explainers.sim.raft_types import Entry, _Faults

_NO_FAULTS = _Faults()


def election_safety(c: Cluster) -> list[str]:
    """At most one leader per term, over the whole history."""
    by_term: dict[int, set[int]] = {}
    for e in c.leader_history:
        by_term.setdefault(e.term, set()).add(e.server)
    return [f"term {t}: leaders {sorted(s)}" for t, s in sorted(by_term.items()) if len(s) > 1]


def log_matching(logs: Mapping[int, Sequence[Entry]]) -> list[str]:
    """Same index and term in two logs means identical logs up to that index."""
    out = []
    for (a, la), (b, lb) in combinations(sorted(logs.items()), 2):
        same = [i for i in range(min(len(la), len(lb))) if la[i].term == lb[i].term]
        if same and list(la[: same[-1] + 1]) != list(lb[: same[-1] + 1]):
            out.append(f"S{a} and S{b} agree on (index {same[-1] + 1}, term) but not before it")
    return out


def leader_completeness(c: Cluster) -> list[str]:
    """Every entry committed in term T is in the log of every leader of a term above T."""
    out = []
    for ce in c.commit_history:
        for le in c.leader_history:
            if le.term > ce.term and le.log[: ce.commit_index] != ce.prefix:
                out.append(
                    f"S{le.server}, leader of term {le.term}, lacks entries 1..{ce.commit_index}"
                    f" committed by S{ce.server} in term {ce.term}"
                )
    return out


def state_machine_safety(c: Cluster) -> list[str]:
    """No two servers apply different entries at one index; committed entries never change."""
    out: list[str] = []
    chosen: dict[int, Entry] = {}
    for ce in c.commit_history:
        for i, e in enumerate(ce.prefix, start=1):
            if chosen.setdefault(i, e) != e:
                out.append(f"index {i} committed as {chosen[i]} and later as {e} (t={ce.time})")
    for ae in c.apply_history:
        if chosen.setdefault(ae.index, ae.entry) != ae.entry:
            out.append(
                f"S{ae.server} applied {ae.entry} at index {ae.index}, not {chosen[ae.index]}"
                f" (t={ae.time})"
            )
    return out


def check_all(c: Cluster) -> list[str]:
    """Every history checker, plus Log Matching on the logs as they are now."""
    return (
        election_safety(c)
        + log_matching(c.logs())
        + leader_completeness(c)
        + state_machine_safety(c)
    )


@dataclass
class ChaosRun:
    """A finished random run: the cluster (with its history) and what the checkers found."""

    cluster: Cluster
    log_matching: list[str] = field(default_factory=list)  # sampled during the run
    crashes: int = 0
    splits: int = 0
    requests: int = 0

    def violations(self) -> list[str]:
        """Everything any checker found, during or after the run."""
        return sorted(set(self.log_matching)) + check_all(self.cluster)


def chaos_run(
    seed: int,
    *,
    duration: int = 2500,
    n: int = 5,
    loss: float = 0.1,
    delay: tuple[int, int] = (5, 30),
    crash_p: float = 0.06,
    restart_p: float = 0.1,
    split_p: float = 0.04,
    heal_p: float = 0.06,
    _faults: _Faults = _NO_FAULTS,
) -> ChaosRun:
    """Run a cluster for `duration` ms under random crashes, partitions, loss, delay and clients.

    Every 10-40 ms one thing happens: a live server crashes (the leader half the time; at least
    two stay up), a crashed one restarts, the network splits off one or two servers (the leader
    half the time) or heals, or a client sends a command to a random server that believes it
    leads (stale leaders included, whose entries must never commit). Log Matching is checked at
    each step; the other properties over the whole history afterwards.
    """
    c = Cluster(n, seed, loss=loss, delay=delay, _faults=_faults)
    chaos = random.Random(seed * 1_000_003 + 7)  # the world's choices, apart from the model's
    run = ChaosRun(c)
    t = 0
    while t < duration:
        t += chaos.randint(10, 40)
        c.run(t)
        up = [s.id for s in c.servers.values() if s.alive]
        down = [s.id for s in c.servers.values() if not s.alive]
        leaders = [i for i in up if c.servers[i].role == LEADER]
        r = chaos.random()
        if r < crash_p and len(up) > 2:
            c.crash(chaos.choice(leaders if leaders and chaos.random() < 0.5 else up))
            run.crashes += 1
        elif (r := r - crash_p) < restart_p and down:
            c.restart(chaos.choice(down))
        elif (r := r - restart_p) < split_p:
            cut = chaos.sample(sorted(c.servers), chaos.randint(1, (n - 1) // 2))
            if leaders and chaos.random() < 0.5 and leaders[0] not in cut:
                cut[0] = leaders[0]
            c.partition(cut)
            run.splits += 1
        elif r - split_p < heal_p:
            c.heal()
        elif leaders:
            run.requests += 1
            c.client_request(chaos.choice(leaders), f"c{run.requests}")
        run.log_matching += log_matching(c.logs())
    return run
