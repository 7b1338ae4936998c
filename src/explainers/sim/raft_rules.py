"""The four RPC handlers of the paper's Figure 2, kept apart from the clock and the network."""

from __future__ import annotations

from explainers.sim.raft_types import (
    CANDIDATE,
    FOLLOWER,
    LEADER,
    AppendEntries,
    AppendEntriesReply,
    CommitEvent,
    Entry,
    Message,
    Payload,
    RequestVote,
    RequestVoteReply,
    Server,
    _Faults,
)


class _Handlers:
    """Mixin for `Cluster`: what a server does when each kind of message arrives."""

    n: int
    now: int
    majority: int
    commit_history: list[CommitEvent]
    _faults: _Faults

    def _send(self, src: int, dst: int, payload: Payload) -> Message: ...
    def send_append(self, i: int, peer: int) -> Message: ...
    def _reset_election_timer(self, s: Server) -> None: ...
    def _observe_term(self, s: Server, term: int) -> bool: ...
    def _become_follower(self, s: Server) -> None: ...
    def _become_leader(self, s: Server) -> None: ...
    def _apply(self, s: Server) -> None: ...

    def _on_request_vote(self, s: Server, src: int, p: RequestVote) -> tuple[bool, str]:
        """Grant at most one vote per term, and only to a log at least as up to date as ours."""
        self._observe_term(s, p.term)
        behind = self._less_up_to_date(s, p)
        if p.term < s.current_term:
            ok, text = False, f"refused: stale term {p.term} < {s.current_term}"
        elif s.voted_for not in (None, p.candidate) and not self._faults.vote_twice:
            ok, text = False, f"refused: already voted for S{s.voted_for} in term {s.current_term}"
        elif behind and not self._faults.skip_up_to_date:
            ok, text = False, f"refused: log less up to date ({behind})"
        else:
            ok, text = True, "granted"
            s.voted_for = p.candidate
            self._reset_election_timer(s)
        self._send(s.id, src, RequestVoteReply(s.current_term, ok))
        return ok, text

    @staticmethod
    def _less_up_to_date(s: Server, p: RequestVote) -> str:
        """Why the candidate's log is behind ours ('' if it is not): last term first, then index."""
        mine = s.last_term()
        if p.last_log_term != mine:
            return "" if p.last_log_term > mine else f"last term {p.last_log_term} < {mine}"
        if p.last_log_index >= len(s.log):
            return ""
        return f"same last term {mine}, last index {p.last_log_index} < {len(s.log)}"

    def _on_vote_reply(self, s: Server, src: int, p: RequestVoteReply) -> tuple[bool | None, str]:
        """Count votes; a majority of all n servers makes the candidate leader."""
        if self._observe_term(s, p.term):
            return None, f"step down: term {p.term} is newer"
        if p.term < s.current_term or s.role == FOLLOWER:
            return None, "ignored: stale reply"
        if not p.granted:
            return False, f"refused; still {len(s.votes)}/{self.n} votes"
        s.votes.add(src)
        k = len(s.votes)
        if s.role == CANDIDATE and k >= self.majority:
            self._become_leader(s)
            return True, f"vote {k}/{self.n}: majority, leader of term {s.current_term}"
        return True, f"vote {k}/{self.n}" + (" (already leader)" if s.role == LEADER else "")

    def _on_append_entries(self, s: Server, src: int, p: AppendEntries) -> tuple[bool, str]:
        """Consistency check on prevLogIndex/prevLogTerm, then truncate conflicts and append."""
        self._observe_term(s, p.term)
        ok, match = False, 0
        if p.term < s.current_term:
            text = f"rejected: stale term {p.term} < {s.current_term}"
        else:
            if s.role != FOLLOWER:
                self._become_follower(s)  # a candidate yields to the leader of its own term
            s.leader_hint = p.leader
            self._reset_election_timer(s)
            prev = p.prev_log_index
            if prev > len(s.log):
                text = f"rejected: no entry at index {prev}"
            elif (
                prev
                and s.log[prev - 1].term != p.prev_log_term
                and not self._faults.skip_prev_term_check
            ):
                text = (
                    f"rejected: entry {prev} has term {s.log[prev - 1].term}, not {p.prev_log_term}"
                )
            else:
                ok, match = True, prev + len(p.entries)
                text = self._merge(s, prev, p.entries) + f" (match {match})"
                if (
                    p.leader_commit > s.commit_index
                    and min(p.leader_commit, match) > s.commit_index
                ):
                    s.commit_index = min(p.leader_commit, match)
                    text += f"; commitIndex {s.commit_index}"
                    self._apply(s)
        self._send(s.id, src, AppendEntriesReply(s.current_term, ok, match))
        return ok, text

    @staticmethod
    def _merge(s: Server, prev: int, entries: tuple[Entry, ...]) -> str:
        """Delete a conflicting entry and all that follow it, append what is new; say what changed."""
        added = replaced = 0
        for j, e in enumerate(entries):
            idx = prev + 1 + j
            if idx <= len(s.log):
                if s.log[idx - 1].term == e.term:
                    continue
                replaced = len(s.log) - idx + 1
                del s.log[idx - 1 :]
            s.log.append(e)
            added += 1
        if not entries:
            return "ok: heartbeat"
        text = f"ok: appended {added}" if added else "ok: already had them"
        return text + (f", deleted {replaced} conflicting" if replaced else "")

    def _on_append_reply(
        self, s: Server, src: int, p: AppendEntriesReply
    ) -> tuple[bool | None, str]:
        """Track matchIndex and commit; on a failed check back nextIndex up by one and retry."""
        if self._observe_term(s, p.term):
            return None, f"step down: term {p.term} is newer"
        if p.term < s.current_term or s.role != LEADER:
            return None, "ignored: stale reply"
        if not p.success:
            old = s.next_index[src]
            s.next_index[src] = max(s.match_index[src] + 1, old - 1)
            self.send_append(s.id, src)
            return False, f"nextIndex {old}→{s.next_index[src]}, retry"
        s.match_index[src] = max(s.match_index[src], p.match_index)
        s.next_index[src] = max(s.next_index[src], s.match_index[src] + 1)
        idx = p.match_index
        if idx == 0:
            return True, "ok"
        count = 1 + sum(m >= idx for m in s.match_index.values())
        text = f"matchIndex {idx}; index {idx} on {count}/{self.n}"
        before = s.commit_index
        self._advance_commit(s)
        if s.commit_index > before:
            return True, text + f" → commitIndex {s.commit_index}"
        if (
            count >= self.majority
            and idx > s.commit_index
            and s.log[idx - 1].term != s.current_term
        ):
            text += f", but term {s.log[idx - 1].term} ≠ {s.current_term}: not committed"
        return True, text

    def _advance_commit(self, s: Server) -> None:
        """Commit the highest index stored on a majority, counting only current-term entries."""
        for idx in range(len(s.log), s.commit_index, -1):
            if s.log[idx - 1].term != s.current_term and not self._faults.commit_any_term:
                return  # terms only grow along a log: nothing lower is from this term either
            if 1 + sum(m >= idx for m in s.match_index.values()) >= self.majority:
                s.commit_index = idx
                self.commit_history.append(
                    CommitEvent(self.now, s.id, s.current_term, idx, tuple(s.log[:idx]))
                )
                self._apply(s)
                return
