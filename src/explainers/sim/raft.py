"""Raft (Ongaro & Ousterhout 2014) as a pure discrete-event model in simulated milliseconds.

One `Cluster` drives n servers over a network that delays (and may lose) messages. It runs in two
ways that share every protocol rule:

- automatically, `run(until_ms)`: an event queue of election timeouts, heartbeat ticks and
  message arrivals, processed in time order (the random safety tests);
- scripted, for scenes and the Figure 8 replay: `fire_next_timeout`, `timeout`, `deliver`,
  `drop`, `deliver_all`, `settle`, `crash`, `restart`, `partition`, `heal`, `client_request`, `heartbeat`, `send_append`.

All randomness (election timeouts 150-300 ms, drawn afresh at every reset; delays; loss) comes
from one `random.Random(seed)`, so the same seed gives the same run. Every message keeps its
`Outcome` (granted, refused and why, lost, ...). The history the safety checkers read lives in
`leader_history`, `commit_history` and `apply_history`.

Neighbours: `raft_types` (entries, RPCs, server state), `raft_rules` (the four handlers),
`raft_check` (safety checkers, chaos runs), `raft_views` (frozen snapshots for scenes),
`raft_story` and `raft_figure8` (the narrated scripts).
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterable

from explainers.sim.raft_rules import _Handlers
from explainers.sim.raft_types import (
    CANDIDATE,
    FOLLOWER,
    LEADER,
    AppendEntries,
    AppendEntriesReply,
    ApplyEvent,
    CommitEvent,
    Entry,
    LeaderEvent,
    Message,
    Outcome,
    Payload,
    RequestVote,
    RequestVoteReply,
    Server,
    _Faults,
)

_DELIVER, _ELECTION, _HEARTBEAT = 0, 1, 2
_NO_FAULTS = _Faults()


class Cluster(_Handlers):
    """n Raft servers on a delaying, lossy network, in simulated milliseconds."""

    def __init__(
        self,
        n: int = 5,
        seed: int = 0,
        *,
        loss: float = 0.0,
        delay: tuple[int, int] = (5, 20),
        election_timeout: tuple[int, int] = (150, 300),
        heartbeat_ms: int = 50,
        _faults: _Faults = _NO_FAULTS,
    ) -> None:
        self.n, self.seed, self.loss, self.delay = n, seed, loss, delay
        self.election_timeout, self.heartbeat_ms = election_timeout, heartbeat_ms
        self._faults = _faults
        self.rng = random.Random(seed)
        self.now = 0
        self.servers = {i: Server(i) for i in range(1, n + 1)}
        self.messages: dict[int, Message] = {}
        self.outcomes: dict[int, Outcome] = {}
        self.journal: list[int] = []  # message ids, each time one is sent, arrives or is resolved
        self.leader_history: list[LeaderEvent] = []
        self.commit_history: list[CommitEvent] = []
        self.apply_history: list[ApplyEvent] = []
        # scripted runs only: (server, deadline, clock) when the clock jumped past a live timer
        self.missed_timeouts: list[tuple[int, int, int]] = []
        self._in_flight: dict[int, Message] = {}
        self._queue: list[tuple[int, int, int, int, int]] = []
        self._seq = 0
        self._group: dict[int, int] = {}  # network partition: server -> group, 0 if unnamed
        for s in self.servers.values():
            self._reset_election_timer(s)

    # ---- queries ------------------------------------------------------------------------------
    @property
    def majority(self) -> int:
        """Votes or replicas needed: a majority of all n servers, alive or not."""
        return self.n // 2 + 1

    def leader(self) -> int | None:
        """The live leader with the highest term, if any."""
        leaders = [s for s in self.servers.values() if s.alive and s.role == LEADER]
        return max(leaders, key=lambda s: s.current_term).id if leaders else None

    def logs(self) -> dict[int, tuple[Entry, ...]]:
        """Every server's log, crashed ones included (logs are persistent)."""
        return {i: tuple(s.log) for i, s in self.servers.items()}

    def holders(self, index: int, term: int) -> tuple[int, ...]:
        """Servers whose log holds an entry of `term` at `index`: the replica count a viewer sees."""
        return tuple(
            i
            for i, s in self.servers.items()
            if len(s.log) >= index and s.log[index - 1].term == term
        )

    def in_flight(
        self, kind: str | None = None, src: int | None = None, dst: int | None = None
    ) -> list[Message]:
        """Messages on the wire, earliest arrival first, optionally filtered."""
        ms = [
            m
            for m in self._in_flight.values()
            if (kind is None or m.kind == kind) and src in (None, m.src) and dst in (None, m.dst)
        ]
        return sorted(ms, key=lambda m: (m.deliver_at, m.id))

    # ---- scripted control ---------------------------------------------------------------------
    def fire_next_timeout(self) -> int:
        """Advance the clock to the earliest pending election timeout and fire it; returns who."""
        waiting = [s for s in self.servers.values() if s.alive and s.deadline is not None]
        s = min(waiting, key=lambda s: (s.deadline, s.id))
        self._advance(s.deadline, firing=s.id)  # type: ignore[arg-type]
        self._start_election(s)
        return s.id

    def timeout(self, i: int) -> None:
        """Force server i's election timeout now (scripts decide who, the model does the rest)."""
        s = self.servers[i]
        if not s.alive or s.role == LEADER:
            raise ValueError(f"S{i} cannot time out: {'down' if not s.alive else 'leader'}")
        self._start_election(s)

    def deliver(self, m: Message | int) -> Outcome:
        """Deliver one in-flight message, moving the clock to its arrival time if that is later."""
        msg = self._in_flight[m if isinstance(m, int) else m.id]
        self._advance(max(self.now, msg.deliver_at))
        return self._deliver(msg)

    def deliver_all(
        self, kind: str | None = None, src: int | None = None, dst: int | None = None
    ) -> list[Message]:
        """Deliver the messages in flight right now (not the replies they cause), in arrival order."""
        batch = self.in_flight(kind, src, dst)
        for m in batch:
            self.deliver(m)
        return batch

    def settle(self, max_rounds: int = 50) -> None:
        """Deliver everything in flight, and the replies and retries it causes, until none is left."""
        for _ in range(max_rounds):
            if not self.deliver_all():
                return

    def drop(self, m: Message | int) -> None:
        """Lose one in-flight message on purpose."""
        msg = self._in_flight.pop(m if isinstance(m, int) else m.id)
        self._resolve(msg, "dropped", None, "dropped")

    def crash(self, i: int) -> None:
        """Stop server i: it ignores timers and loses messages sent to it."""
        s = self.servers[i]
        s.alive, s.deadline, s.timeout_ms = False, None, None
        s.gen += 1

    def restart(self, i: int) -> None:
        """Bring server i back: term, vote and log survive; everything volatile starts over."""
        s = self.servers[i]
        s.alive, s.role, s.commit_index, s.last_applied = True, FOLLOWER, 0, 0
        s.state, s.votes, s.next_index, s.match_index, s.leader_hint = [], set(), {}, {}, None
        self._reset_election_timer(s)

    def partition(self, *groups: Iterable[int]) -> None:
        """Split the network: messages between groups are lost; unnamed servers form one group."""
        self._group = {i: g for g, members in enumerate(groups, 1) for i in members}

    def heal(self) -> None:
        """Join the network back together."""
        self._group = {}

    def client_request(self, i: int, command: str, replicate: bool = True) -> int | None:
        """A client command reaches server i; only a live leader appends it. Returns its index."""
        s = self.servers[i]
        if not s.alive or s.role != LEADER:
            return None
        s.log.append(Entry(s.current_term, command))
        if replicate:
            self.heartbeat(i)
        return len(s.log)

    def heartbeat(self, i: int) -> None:
        """Leader i sends AppendEntries to every peer (empty for peers that are caught up)."""
        s = self.servers[i]
        for p in self._peers(s):
            self.send_append(i, p)

    def send_append(self, i: int, peer: int) -> Message:
        """Leader i sends peer the entries from nextIndex on, with prevLogIndex/prevLogTerm."""
        s = self.servers[i]
        prev = s.next_index[peer] - 1
        rpc = AppendEntries(
            s.current_term,
            i,
            prev,
            s.log[prev - 1].term if prev else 0,
            tuple(s.log[prev:]),
            s.commit_index,
        )
        return self._send(i, peer, rpc)

    # ---- automatic run ------------------------------------------------------------------------
    def run(self, until: int) -> None:
        """Process timer fires and arrivals in time order up to `until` ms."""
        while self._queue and self._queue[0][0] <= until:
            t, _, what, a, gen = heapq.heappop(self._queue)
            self.now = max(self.now, t)
            if what == _DELIVER:
                if a in self._in_flight:
                    self._deliver(self._in_flight[a])
                continue
            s = self.servers[a]
            if not s.alive or s.gen != gen:
                continue
            if what == _ELECTION and s.role != LEADER:
                self._start_election(s)
            elif what == _HEARTBEAT and s.role == LEADER:
                self.heartbeat(s.id)
                self._push(self.now + self.heartbeat_ms, _HEARTBEAT, s.id, s.gen)
        self.now = max(self.now, until)

    # ---- internals: network and timers --------------------------------------------------------
    def _push(self, t: int, what: int, a: int, gen: int) -> None:
        self._seq += 1
        heapq.heappush(self._queue, (t, self._seq, what, a, gen))

    def _peers(self, s: Server) -> list[int]:
        return [i for i in self.servers if i != s.id]

    def _advance(self, t: int, firing: int | None = None) -> None:
        """Scripted clock moves; note any timer a real clock would have fired first."""
        for s in self.servers.values():
            if (
                s.alive
                and s.deadline is not None
                and s.id != firing
                and s.deadline <= t
                and t > self.now
            ):
                self.missed_timeouts.append((s.id, s.deadline, t))
        self.now = t

    def _send(self, src: int, dst: int, payload: Payload) -> Message:
        m = Message(
            len(self.messages) + 1,
            src,
            dst,
            payload,
            self.now,
            self.now + self.rng.randint(*self.delay),
        )
        self.messages[m.id] = m
        self.journal.append(m.id)
        if self.loss and self.rng.random() < self.loss:
            self.outcomes[m.id] = Outcome("lost", None, "lost in the network", self.now)
            return m
        self._in_flight[m.id] = m
        self.outcomes[m.id] = Outcome("in_flight", None, "in flight", None)
        self._push(m.deliver_at, _DELIVER, m.id, 0)
        return m

    def _resolve(self, m: Message, status: str, ok: bool | None, text: str) -> Outcome:
        self.outcomes[m.id] = out = Outcome(status, ok, text, self.now)
        self.journal.append(m.id)
        return out

    def _deliver(self, m: Message) -> Outcome:
        del self._in_flight[m.id]
        self.journal.append(m.id)  # the arrival precedes any reply it causes
        s = self.servers[m.dst]
        if not s.alive:
            return self._resolve(m, "lost", None, f"lost: S{m.dst} is down")
        if self._group.get(m.src, 0) != self._group.get(m.dst, 0):
            return self._resolve(m, "lost", None, "lost: network partition")
        handler = {
            RequestVote: self._on_request_vote,
            RequestVoteReply: self._on_vote_reply,
            AppendEntries: self._on_append_entries,
            AppendEntriesReply: self._on_append_reply,
        }[type(m.payload)]
        ok, text = handler(s, m.src, m.payload)  # type: ignore[operator]
        return self._resolve(m, "delivered", ok, text)

    def _reset_election_timer(self, s: Server) -> None:
        s.gen += 1
        s.timeout_ms = self.rng.randint(*self.election_timeout)
        s.deadline = self.now + s.timeout_ms
        self._push(s.deadline, _ELECTION, s.id, s.gen)

    # ---- internals: role changes --------------------------------------------------------------
    def _start_election(self, s: Server) -> None:
        s.role, s.current_term, s.leader_hint = CANDIDATE, s.current_term + 1, None
        s.voted_for, s.votes = s.id, {s.id}
        self._reset_election_timer(s)
        if len(s.votes) >= self.majority:
            self._become_leader(s)
            return
        for p in self._peers(s):
            self._send(s.id, p, RequestVote(s.current_term, s.id, len(s.log), s.last_term()))

    def _become_leader(self, s: Server) -> None:
        s.role, s.leader_hint = LEADER, s.id
        s.next_index = {p: len(s.log) + 1 for p in self._peers(s)}
        s.match_index = {p: 0 for p in self._peers(s)}
        s.gen += 1
        s.deadline = s.timeout_ms = None
        self.leader_history.append(LeaderEvent(self.now, s.current_term, s.id, tuple(s.log)))
        self.heartbeat(s.id)
        self._push(self.now + self.heartbeat_ms, _HEARTBEAT, s.id, s.gen)

    def _become_follower(self, s: Server) -> None:
        was_leader = s.role == LEADER
        s.role, s.votes, s.next_index, s.match_index = FOLLOWER, set(), {}, {}
        if was_leader:
            self._reset_election_timer(s)

    def _observe_term(self, s: Server, term: int) -> bool:
        """Any higher term seen makes a server adopt it and fall back to follower."""
        if term <= s.current_term:
            return False
        s.current_term, s.voted_for = term, None
        if s.role != FOLLOWER:
            self._become_follower(s)
        return True

    def _apply(self, s: Server) -> None:
        while s.last_applied < min(s.commit_index, len(s.log)):
            s.last_applied += 1
            entry = s.log[s.last_applied - 1]
            s.state.append(entry.command)
            self.apply_history.append(ApplyEvent(self.now, s.id, s.last_applied, entry))
