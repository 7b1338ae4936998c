"""Raft's data: log entries, the four RPCs, server state and the history the safety checkers read."""

from __future__ import annotations

from dataclasses import dataclass, field

FOLLOWER, CANDIDATE, LEADER = "follower", "candidate", "leader"


@dataclass(frozen=True)
class Entry:
    """One log entry; its index is its 1-based position in the log."""

    term: int
    command: str


@dataclass(frozen=True)
class RequestVote:
    """A candidate's vote request; the last log term/index let voters judge up-to-dateness."""

    term: int
    candidate: int
    last_log_index: int
    last_log_term: int


@dataclass(frozen=True)
class RequestVoteReply:
    """A voter's answer, with its term so a stale candidate learns it is behind."""

    term: int
    granted: bool


@dataclass(frozen=True)
class AppendEntries:
    """Replication and heartbeat in one RPC: no entries means heartbeat."""

    term: int
    leader: int
    prev_log_index: int
    prev_log_term: int
    entries: tuple[Entry, ...]
    leader_commit: int


@dataclass(frozen=True)
class AppendEntriesReply:
    """A follower's answer; match_index tells the leader how far the logs now agree."""

    term: int
    success: bool
    match_index: int


Payload = RequestVote | RequestVoteReply | AppendEntries | AppendEntriesReply


@dataclass(frozen=True)
class Message:
    """One RPC on the wire, with the arrival time the network drew for it."""

    id: int
    src: int
    dst: int
    payload: Payload
    sent_at: int
    deliver_at: int

    @property
    def kind(self) -> str:
        """Short RPC name, the label a scene prints on the message."""
        return type(self.payload).__name__

    @property
    def term(self) -> int:
        """Every Raft message carries its sender's term."""
        return self.payload.term

    def fields(self) -> tuple[tuple[str, object], ...]:
        """The payload as plain (name, value) pairs; entries become (index, term, command)."""
        p = self.payload
        out: list[tuple[str, object]] = []
        for name in p.__dataclass_fields__:
            value = getattr(p, name)
            if name == "entries":
                first = p.prev_log_index + 1  # type: ignore[union-attr]
                value = tuple((first + i, e.term, e.command) for i, e in enumerate(value))
            if name != "term":
                out.append((name, value))
        return tuple(out)


@dataclass(frozen=True)
class Outcome:
    """What happened to a message: status in_flight/delivered/lost/dropped, and the receiver's verdict."""

    status: str
    ok: bool | None
    text: str
    at: int | None


@dataclass(frozen=True)
class LeaderEvent:
    """A server won an election; its log then is what Leader Completeness is judged on."""

    time: int
    term: int
    server: int
    log: tuple[Entry, ...]


@dataclass(frozen=True)
class CommitEvent:
    """A leader advanced commitIndex; the committed prefix must never change afterwards."""

    time: int
    server: int
    term: int
    commit_index: int
    prefix: tuple[Entry, ...]


@dataclass(frozen=True)
class ApplyEvent:
    """A server applied one entry to its state machine."""

    time: int
    server: int
    index: int
    entry: Entry


@dataclass(frozen=True)
class _Faults:
    """Deliberate protocol bugs, only so tests can prove the safety checkers are not vacuous."""

    vote_twice: bool = False
    skip_up_to_date: bool = False
    skip_prev_term_check: bool = False
    commit_any_term: bool = False


@dataclass
class Server:
    """One Raft server: persistent state (term, vote, log) and volatile state that a crash wipes."""

    id: int
    current_term: int = 0
    voted_for: int | None = None
    log: list[Entry] = field(default_factory=list)
    role: str = FOLLOWER
    alive: bool = True
    commit_index: int = 0
    last_applied: int = 0
    state: list[str] = field(default_factory=list)
    votes: set[int] = field(default_factory=set)
    next_index: dict[int, int] = field(default_factory=dict)
    match_index: dict[int, int] = field(default_factory=dict)
    leader_hint: int | None = None
    timeout_ms: int | None = None
    deadline: int | None = None
    gen: int = 0  # timer generation: bumping it cancels queued timer events

    def last_term(self) -> int:
        """Term of the last log entry (0 for an empty log)."""
        return self.log[-1].term if self.log else 0
