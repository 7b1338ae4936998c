"""Plain, frozen snapshots of a Raft cluster, step by step: what a scene draws, nothing to compute."""

from __future__ import annotations

from dataclasses import dataclass

from explainers.sim.raft import LEADER, Cluster


@dataclass(frozen=True)
class ServerView:
    """One server at the end of a step. Logs are (index, term, command); ids are 1-based."""

    id: int
    name: str
    role: str  # "follower" | "candidate" | "leader" | "down" (a crash wipes the volatile role)
    term: int
    voted_for: int | None
    log: tuple[tuple[int, int, str], ...]
    commit_index: int
    alive: bool
    timeout_ms: int | None  # election timeout last drawn; None for leaders and crashed servers
    deadline_ms: int | None  # simulated time at which that timeout fires
    votes: tuple[int, ...]  # votes received in its current term, itself included
    next_index: tuple[tuple[int, int], ...]  # leader only: (peer, nextIndex)
    match_index: tuple[tuple[int, int], ...]  # leader only: (peer, matchIndex)


@dataclass(frozen=True)
class MessageView:
    """One message sent, delivered or lost during a step, with the receiver's verdict."""

    id: int
    src: int
    dst: int
    kind: str  # RequestVote | RequestVoteReply | AppendEntries | AppendEntriesReply
    term: int
    fields: tuple[
        tuple[str, object], ...
    ]  # e.g. ("prev_log_index", 1), ("entries", ((2, 1, "y=2"),))
    sent_at: int
    arrives_at: int
    status: str  # in_flight | delivered | lost | dropped, as of the end of the step
    ok: bool | None  # granted / success; None while in flight, lost, or ignored
    outcome: str  # e.g. "granted", "refused: log less up to date (...)", "vote 3/5: majority, ..."

    def get(self, name: str) -> object:
        """One payload field by name."""
        return dict(self.fields)[name]


@dataclass(frozen=True)
class Step:
    """One beat of a story: the cluster at its end and the messages that moved during it."""

    number: int
    key: str
    title: str
    caption: str
    time_ms: int
    focus: int | None
    servers: tuple[ServerView, ...]
    messages: tuple[MessageView, ...]

    def server(self, i: int) -> ServerView:
        """Server i's snapshot (1-based id)."""
        return self.servers[i - 1]

    def leaders(self) -> tuple[int, ...]:
        """Servers that believe they lead (crashed ones are "down")."""
        return tuple(s.id for s in self.servers if s.role == LEADER)

    def of_kind(self, kind: str, status: str | None = None) -> tuple[MessageView, ...]:
        """This step's messages of one RPC kind, optionally with one status."""
        return tuple(m for m in self.messages if m.kind == kind and status in (None, m.status))


@dataclass(frozen=True)
class RaftStory:
    """A narrated run: steps in order, who plays which part, and why the seed is (not) clean."""

    seed: int
    n: int
    majority: int
    steps: tuple[Step, ...]
    cast: tuple[tuple[str, int], ...]  # e.g. ("first_leader", 3): parts the captions refer to
    issues: tuple[str, ...]  # reasons this seed tells the story badly; () for a clean story

    def who(self, part: str) -> int:
        """The server playing a part of the story."""
        return dict(self.cast)[part]

    def step(self, key: str) -> Step:
        """The step with this key."""
        return next(s for s in self.steps if s.key == key)


def server_view(c: Cluster, i: int) -> ServerView:
    """Snapshot one server."""
    s = c.servers[i]
    lead = s.role == LEADER
    return ServerView(
        id=i,
        name=f"S{i}",
        role=s.role if s.alive else "down",
        term=s.current_term,
        voted_for=s.voted_for,
        log=tuple((k, e.term, e.command) for k, e in enumerate(s.log, start=1)),
        commit_index=s.commit_index,
        alive=s.alive,
        timeout_ms=s.timeout_ms,
        deadline_ms=s.deadline,
        votes=tuple(sorted(s.votes)),
        next_index=tuple(sorted(s.next_index.items())) if lead else (),
        match_index=tuple(sorted(s.match_index.items())) if lead else (),
    )


def message_view(c: Cluster, mid: int) -> MessageView:
    """Snapshot one message with its outcome so far."""
    m, out = c.messages[mid], c.outcomes[mid]
    return MessageView(
        m.id, m.src, m.dst, m.kind, m.term, m.fields(), m.sent_at, m.deliver_at,
        out.status, out.ok, out.text,
    )  # fmt: skip


class Recorder:
    """Cuts a scripted run into Steps: state at each cut, and every message touched since."""

    def __init__(self, cluster: Cluster) -> None:
        self.c = cluster
        self.steps: list[Step] = []
        self._mark = 0

    def step(self, key: str, title: str, caption: str, focus: int | None = None) -> Step:
        """Close the current step."""
        ids = dict.fromkeys(self.c.journal[self._mark :])
        self._mark = len(self.c.journal)
        st = Step(
            len(self.steps) + 1,
            key,
            title,
            caption,
            self.c.now,
            focus,
            tuple(server_view(self.c, i) for i in sorted(self.c.servers)),
            tuple(message_view(self.c, i) for i in ids),
        )
        self.steps.append(st)
        return st
