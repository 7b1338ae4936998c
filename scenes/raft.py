"""Raft in eight beats, drawn from one run of the model (`explainers.sim.raft_story.story()`).

Nothing here decides what happens: who times out first, terms, votes and their reasons, log
entries, commit indexes, crashes and the stale candidate are read from the story's steps. The
top half of this file turns steps into the facts a beat shows (pure functions, tested in
tests/test_raft_scene.py); the bottom half draws them with the kit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Animation,
    Arrow,
    FadeIn,
    FadeOut,
    LaggedStart,
    Mobject,
    Rectangle,
    Succession,
    VGroup,
    linear,
)

from explainers.kit.callout import Legend
from explainers.kit.gauges import CountdownBars, Tally
from explainers.kit.log import LogTable
from explainers.kit.messages import Message, Verdict, endpoints, hop, send
from explainers.kit.nodes import CANDIDATE, FOLLOWER, LEADER, ServerNode, TimerBadge, edge
from explainers.kit.stage import ring_positions
from explainers.kit.text import text
from explainers.kit.theme import AMBER, BLUE, GREEN, INK, LAYOUT, LINE, MUTED, RED, TIMING, TYPE
from explainers.kit.timeline import Timeline
from explainers.scene import ExplainerScene
from explainers.sim.raft import Cluster
from explainers.sim.raft_story import story
from explainers.sim.raft_views import MessageView, RaftStory, ServerView, Step

# ---- the story, and the facts each beat shows (no Manim below until the scene) -------------

STORY: RaftStory = story()
ROLES = (FOLLOWER, CANDIDATE, LEADER)


def draw_role(view: ServerView) -> str:
    """The role to draw: a crashed server keeps the follower look under its 'down' marks."""
    return view.role if view.role in ROLES else FOLLOWER


def steps_starting(st: RaftStory, prefix: str) -> list[Step]:
    """Steps whose key starts with `prefix`, in story order (e.g. every election's timeout)."""
    return [s for s in st.steps if s.key.startswith(prefix)]


def next_step(st: RaftStory, step: Step, offset: int = 1) -> Step:
    """The step `offset` places after `step`."""
    return st.steps[st.steps.index(step) + offset]


@dataclass(frozen=True)
class Election:
    """One election round as the video shows it, all read from three consecutive steps."""

    timeout: Step  # the candidate has just timed out and sent RequestVote
    asked: Step  # the requests were delivered: granted or refused
    counted: Step  # the replies were counted

    @property
    def candidate(self) -> int:
        return self.timeout.focus  # type: ignore[return-value]

    @property
    def term(self) -> int:
        return self.timeout.server(self.candidate).term

    @property
    def won(self) -> bool:
        return self.candidate in self.counted.leaders()

    @property
    def requests(self) -> tuple[MessageView, ...]:
        return self.asked.of_kind("RequestVote")

    def replies(self) -> list[MessageView]:
        """Delivered vote replies to the candidate, in arrival order."""
        ms = [m for s in (self.asked, self.counted) for m in s.of_kind("RequestVoteReply", "delivered")
              if m.dst == self.candidate]
        return sorted({m.id: m for m in ms}.values(), key=lambda m: (m.arrives_at, m.id))

    def running_votes(self) -> list[int]:
        """The candidate's vote count after itself and after each reply, in arrival order."""
        counts = [1]
        for m in self.replies():
            counts.append(counts[-1] + (1 if m.ok else 0))
        return counts

    @property
    def votes(self) -> int:
        return len(self.counted.server(self.candidate).votes)


def elections(st: RaftStory) -> list[Election]:
    """Every election round of the story, in order."""
    return [Election(t, next_step(st, t), next_step(st, t, 2)) for t in steps_starting(st, "timeout-")]


def timer_left(view: ServerView, now_ms: int) -> float | None:
    """Share of a server's election timeout still to run at `now_ms` (None: no timer running)."""
    if not view.alive or view.timeout_ms is None or view.deadline_ms is None:
        return None
    return max(0.0, min(1.0, (view.deadline_ms - now_ms) / view.timeout_ms))


def refusal_words(voter: ServerView, candidate: ServerView) -> str:
    """Why a voter refuses, as a viewer can check it in the logs: last term first, then length."""
    v = voter.log[-1][:2] if voter.log else (0, 0)
    c = candidate.log[-1][:2] if candidate.log else (0, 0)
    if (v[1], v[0]) <= (c[1], c[0]):
        return "no · already voted"
    return "no · newer last term" if v[1] > c[1] else "no · longer log"


def consistency_words(command: str, prev_index: int, prev_term: int) -> str:
    """What the AppendEntries consistency check asks of a follower, in a line."""
    if prev_index == 0:
        return f"{command} is the first entry: no earlier entry to check"
    return f"{command} follows index {prev_index}, term {prev_term}: do they hold it?"


def last_entry(view: ServerView) -> str:
    """'index 2, term 1' for a server's last log entry."""
    if not view.log:
        return "empty log"
    index, term, _ = view.log[-1]
    return f"index {index}, term {term}"


@dataclass(frozen=True)
class Replication:
    """One client command: appended at the leader, stored by followers, acknowledged."""

    append: Step
    store: Step
    commit: Step

    @property
    def leader(self) -> int:
        return self.append.focus  # type: ignore[return-value]

    @property
    def entry(self) -> tuple[int, int, str]:
        return self.append.server(self.leader).log[-1]

    @property
    def sent(self) -> tuple[MessageView, ...]:
        return self.append.of_kind("AppendEntries")

    def prev(self) -> tuple[int, int]:
        """(prevLogIndex, prevLogTerm) the leader sent with the entry."""
        m = self.sent[0]
        return int(m.get("prev_log_index")), int(m.get("prev_log_term"))  # type: ignore[arg-type]

    def stored_by(self) -> list[int]:
        return sorted(m.dst for m in self.store.of_kind("AppendEntries") if m.ok)

    def lost_at(self) -> list[int]:
        return sorted(m.dst for m in self.store.of_kind("AppendEntries") if m.status == "lost")

    def holders(self) -> list[int]:
        """Servers whose log holds the entry once the acks are in (the leader included)."""
        index, term, _ = self.entry
        return [v.id for v in self.commit.servers if len(v.log) >= index and v.log[index - 1][1] == term]

    @property
    def commit_index(self) -> int:
        return self.commit.server(self.leader).commit_index


def commit_words(r: Replication, majority: int) -> str:
    """Why the leader may commit: the entry is of its current term and on a majority."""
    index, term, _ = r.entry
    current = r.commit.server(r.leader).term
    if term != current or len(r.holders()) < majority:
        return f"index {index} is not committed yet"
    return f"current term {term}, on a majority: committed at index {index}"


def replications(st: RaftStory) -> list[Replication]:
    """Every replicated command, in order."""
    return [Replication(a, next_step(st, a), next_step(st, a, 2)) for a in steps_starting(st, "append-")]


def survivors(st: RaftStory, at: Step) -> list[str]:
    """Commands committed by any leader before `at` that every live log still holds at `at`."""
    committed = {v.log[k] for s in st.steps[: st.steps.index(at) + 1] for v in s.servers
                 if v.role == LEADER for k in range(v.commit_index)}
    live = [v for v in at.servers if v.alive]
    return [c for _, _, c in sorted(e for e in committed if all(e in v.log for v in live))]


@dataclass(frozen=True)
class TermSpan:
    """One term on the timeline: when it began, when (if) it got a leader, when it ended."""

    term: int
    start: int
    elected: int | None
    leader: int | None
    end: int


def term_spans(st: RaftStory) -> list[TermSpan]:
    """Terms of the story as time spans, ending where the next term begins (or the story ends)."""
    es = elections(st)
    out = []
    for k, e in enumerate(es):
        end = es[k + 1].timeout.time_ms if k + 1 < len(es) else st.steps[-1].time_ms
        elected = e.counted.time_ms if e.won else None
        out.append(TermSpan(e.term, e.timeout.time_ms, elected, e.candidate if e.won else None, end))
    return out


def crash_step(st: RaftStory, server: int, after_ms: int = 0) -> Step | None:
    """The first step (ending at or after `after_ms`) at whose end `server` is down."""
    return next((s for s in st.steps if s.time_ms >= after_ms and not s.server(server).alive), None)


def log_slots(st: RaftStory, until: Step) -> int:
    """Columns the log table needs up to a step: the longest log, plus one empty slot."""
    end = st.steps.index(until)
    return 1 + max(len(v.log) for s in st.steps[: end + 1] for v in s.servers)


def node_states(step: Step) -> dict[int, tuple[str, int, bool]]:
    """(role, term, alive) of every server at the end of a step."""
    return {v.id: (draw_role(v), v.term, v.alive) for v in step.servers}


# ---- drawing ------------------------------------------------------------------------------

ELECTIONS = elections(STORY)
REPLICATIONS = replications(STORY)
FIRST, STALE, SECOND = (STORY.who(p) for p in ("first_leader", "stale", "second_leader"))
TIMEOUT_RANGE = Cluster(STORY.n, STORY.seed).election_timeout  # the story does not carry it
RING_CENTER = np.array([-3.45, -0.12, 0.0])
RING = ring_positions(STORY.n, center=RING_CENTER, radius=2.3, radius_y=1.72)
PANEL_LEFT = -0.2  # the right-hand panel (counters, logs) starts here
REPAIR = STORY.step("repaired")
SLOTS = log_slots(STORY, REPAIR)


def outward(p: np.ndarray) -> np.ndarray:
    """The side of a ring position facing away from the ring (where its crown goes)."""
    d = p - RING_CENTER
    if d[1] > abs(d[0]):
        return UP
    return RIGHT if d[0] > 0 else LEFT


def panel_top(m: Mobject, x: float = PANEL_LEFT) -> Mobject:
    """Put m at the top-left of the right-hand panel."""
    return m.move_to([x + m.width / 2, LAYOUT.content_top - m.height / 2, 0])


class Raft(ExplainerScene):
    """Five servers elect a leader, replicate and commit a log, and survive a leader crash."""

    topic = "raft"

    # -- shared drawing ---------------------------------------------------------------------
    def setup(self) -> None:
        self.nodes = {i: ServerNode(f"S{i}", FOLLOWER, None).at(p).crown_side(outward(p))
                      for i, p in enumerate(RING, 1)}
        self.table: LogTable | None = None
        self.panel = VGroup()  # what the right-hand panel shows now
        self.edges = VGroup()
        self.notes: dict[str, Mobject] = {}

    def hold(self, seconds: float = TIMING.hold) -> None:
        """Let a finished step sit before the next change, so the eye (and the caption) catch up."""
        self.wait(seconds)

    def node_group(self) -> VGroup:
        return VGroup(*self.nodes.values())

    def restyle(self, step: Step, timers_at: int | None | bool = False) -> list[Animation]:
        """Animations of the nodes that differ from their state at the end of `step` (timers as
        left at `timers_at`; None hides them, False leaves them as they are)."""
        anims = []
        for i, (role, term, alive) in node_states(step).items():
            node = self.nodes[i]
            if timers_at is False:
                timer: float | None | bool = False
            elif timers_at is None:
                timer = None
            else:
                timer = timer_left(step.server(i), int(timers_at))
            same_timer = timer is False or timer == node.timer_fraction
            if (node.role, node.term, node.alive) == (role, term, alive) and same_timer:
                continue
            anims.append(node.to_state(role=role, term=term, alive=alive, timer=timer))
        return anims

    def star(self, hub: int, peers: list[int]) -> list[Animation]:
        """Swap the drawn edges for those from `hub` to `peers`: the paths its messages take."""
        old = self.edges
        self.edges = VGroup(*[edge(self.nodes[hub], self.nodes[p]) for p in peers])
        self.bring_to_back(self.edges)
        return [FadeOut(old), FadeIn(self.edges)]

    def fly(self, msgs: list[tuple[int, int, str]], stop: float = 1.0,
            run_time: float = TIMING.message, lost: set[int] = frozenset(),
            vanish: bool = False) -> list[Message]:
        """Send pills (src, dst, label) at once; those to a server in `lost` die half way;
        `vanish` fades them out on arrival (replies converging on one server)."""
        pills, trips = [], []
        for src, dst, label in msgs:
            pill, trip = send(self.nodes[src], self.nodes[dst], label, run_time=run_time,
                              stop=0.5 if dst in lost else stop, vanish=vanish)
            pills.append(pill)
            trips.append(trip)
        self.play(*trips)
        gone = [p for p, (_, dst, _) in zip(pills, msgs) if dst in lost]
        if gone:
            self.play(*[p.animate.set_opacity(0).scale(0.6) for p in gone], run_time=TIMING.fast)
            self.remove(*gone)
        return [p for p, (_, dst, _) in zip(pills, msgs) if dst not in lost]

    def land(self, pills: list[Message], pairs: list[tuple[int, int]]) -> list[Animation]:
        """Finish the trips of pills stopped part way."""
        return [hop(p, endpoints(self.nodes[s], self.nodes[d], p)[1], run_time=0.5)
                for p, (s, d) in zip(pills, pairs)]

    def verdict_at(self, node: int, ok: bool, words: str, toward: int) -> Verdict:
        """A verdict beside a server, on the side away from `toward` (out of the messages' way)."""
        tag = Verdict(ok, words)
        away = self.nodes[node].center - self.nodes[toward].center
        if away[0] < 0:
            tag.flip().next_to(self.nodes[node].body, LEFT, buff=0.42)
        else:
            tag.next_to(self.nodes[node].body, RIGHT, buff=0.42)
        if tag.get_left()[0] < LAYOUT.left or tag.get_right()[0] > PANEL_LEFT - 0.1:
            tag.next_to(self.nodes[node].timer, UP if away[1] >= 0 else DOWN, buff=0.1)
        return tag

    def make_table(self, step: Step) -> LogTable:
        """The log table (one row per server) as at the end of `step`, in the right panel."""
        table = LogTable({v.name: v.log for v in step.servers}, SLOTS,
                         {v.name: v.commit_index for v in step.servers})
        panel_top(table, PANEL_LEFT + 0.1)
        return table

    def sync_table(self, step: Step) -> list[Animation]:
        """Animations bringing the table to `step`: new entries appear, commits turn solid."""
        assert self.table is not None
        anims: list[Animation] = []
        for v in step.servers:
            row = self.table.rows[v.name]
            for index, term, command in v.log:
                if index not in row.cells:
                    cell = row.make_cell(index, term, command, index <= v.commit_index)
                    row.take(cell)
                    anims.append(FadeIn(cell, shift=RIGHT * 0.25))
            anims += row.commit_to(v.commit_index)
        return anims

    def note(self, name: str, ok: bool | None, words: str) -> list[Animation]:
        """Replace the note at the right end of one log-table row (a verdict, or muted words)."""
        assert self.table is not None
        old = self.notes.pop(name, None)
        if not words:
            return [FadeOut(old)] if old else []
        new = text(words, TYPE.small, MUTED) if ok is None else Verdict(ok, words)
        new.next_to(self.table.rows[name], RIGHT, buff=0.3)
        self.notes[name] = new
        # one after the other: two notes crossfading in one place read as a smudge
        return [Succession(FadeOut(old), FadeIn(new))] if old else [FadeIn(new)]

    def clear_notes(self) -> list[Animation]:
        anims = [FadeOut(n) for n in self.notes.values()]
        self.notes = {}
        return anims

    def swap_panel(self, *new: Mobject) -> list[Animation]:
        """Fade the right-hand panel's content out and `new` in."""
        anims: list[Animation] = [FadeOut(self.panel)] if self.panel.submobjects else []
        self.panel = VGroup(*new)
        return anims + [FadeIn(m) for m in new]

    def timers_run(self, step: Step, since: int, until: int, run_time: float) -> None:
        """Every live follower's election timer running from `since` to `until` ms."""
        anims = []
        for v in step.servers:
            left = timer_left(v, since)
            if left is not None:
                self.nodes[v.id].set_timer(left)
                anims.append(self.nodes[v.id].to_state(timer=timer_left(v, until)))
        self.play(*anims, run_time=run_time, rate_func=linear)

    # -- beats ------------------------------------------------------------------------------
    def beat_goal(self) -> None:
        leader = REPAIR.server(SECOND)
        agreed = leader.log[: leader.commit_index]
        self.play(LaggedStart(*[FadeIn(n) for n in self.nodes.values()], lag_ratio=0.15),
                  run_time=1.2)
        self.hold(0.6)
        self.table = self.make_table(STORY.step("start"))
        self.play(FadeIn(self.table), run_time=TIMING.fast)
        for index, term, command in agreed:
            cells = [row.make_cell(index, term, command, committed=True)
                     for row in self.table.rows.values()]
            self.play(LaggedStart(*[FadeIn(c, shift=RIGHT * 0.25) for c in cells], lag_ratio=0.12),
                      run_time=1.0)
            for row, cell in zip(self.table.rows.values(), cells):
                row.take(cell)
            self.hold(0.5)
        same = text("same commands, same order, on every server", TYPE.small, INK)
        same.next_to(self.table, DOWN, buff=0.3).align_to(self.table.names, LEFT)
        self.play(FadeIn(same), run_time=TIMING.fast)
        self.wait(1.0)
        down = [FIRST, STALE][: STORY.n - STORY.majority]
        self.play(*[self.nodes[i].to_state(alive=False) for i in down], run_time=TIMING.normal)
        self.hold(0.8)
        tally = Tally("servers up", STORY.n, STORY.majority, STORY.n - len(down), compact=True)
        tally.next_to(same, DOWN, buff=0.3).align_to(same, LEFT)
        self.play(FadeIn(tally), run_time=TIMING.fast)

    def beat_roles(self) -> None:
        self.clear_stage()
        kinds = [(FOLLOWER, BLUE), (CANDIDATE, AMBER), (LEADER, GREEN)]
        exemplars = VGroup(*[ServerNode("", role, None) for role, _ in kinds])
        exemplars.arrange(RIGHT, buff=3.0).move_to([0, 1.45, 0])
        names = VGroup(*[text(role, TYPE.label, c).next_to(e.body, DOWN, buff=0.3)
                         for (role, c), e in zip(kinds, exemplars)])
        arrows, words = VGroup(), VGroup()
        for a, b, w in ((0, 1, "times out"), (1, 2, "wins a majority")):
            arrow = Arrow(exemplars[a].outer.get_right(), exemplars[b].outer.get_left(), buff=0.15,
                          color=MUTED, stroke_width=4)
            arrows.add(arrow)
            words.add(text(w, TYPE.small, MUTED).next_to(arrow, UP, buff=0.12))
        self.play(LaggedStart(*[FadeIn(VGroup(e, n)) for e, n in zip(exemplars, names)],
                              lag_ratio=0.3), run_time=1.5)
        for arrow, word in zip(arrows, words):
            self.hold(0.6)
            self.play(FadeIn(VGroup(arrow, word)), run_time=TIMING.normal)
        back = text("any server that sees a higher term becomes a follower", TYPE.small, MUTED)
        back.next_to(names, DOWN, buff=0.3)
        self.play(FadeIn(back), run_time=TIMING.normal)
        self.hold()
        timeline, key = self.term_timeline()
        spans = [m for m in timeline.spans] + [m for m in timeline.marks]
        self.play(FadeIn(VGroup(timeline.axis, timeline.axis_label, timeline.brackets)),
                  run_time=TIMING.normal)
        self.play(LaggedStart(*[FadeIn(m) for m in spans], lag_ratio=0.25), run_time=2.0)
        self.play(FadeIn(key), run_time=TIMING.fast)

    def term_timeline(self) -> tuple[Timeline, Legend]:
        """Terms of the story on a time axis: electing (amber), led (green), leaderless (grey),
        and the key to the colours."""
        spans = term_spans(STORY)
        end = spans[-1].end + (spans[-1].end - spans[-1].start) * 0.2
        tl = Timeline(0, end, width=LAYOUT.right - LAYOUT.left - 0.2, axis_label="time")
        tl.span(0, spans[0].start, LINE)
        for s in spans:
            tl.span(s.start, s.elected or s.end, AMBER)
            tl.bracket(s.start, s.end, f"term {s.term}")
            if s.leader is None or s.elected is None:
                continue
            down = crash_step(STORY, s.leader, s.elected)
            fell = down.time_ms if down is not None and down.time_ms < s.end else s.end
            tl.span(s.elected, fell, GREEN)
            tl.mark(s.elected, f"S{s.leader} leads", GREEN)
            if fell < s.end:
                tl.span(fell, s.end, LINE)
                tl.mark(fell, f"S{s.leader} crashes", RED)
        key = Legend([(Rectangle(width=0.5, height=0.3, fill_color=c, fill_opacity=1, stroke_width=0), w)
                      for c, w in ((AMBER, "election"), (GREEN, "one leader"), (LINE, "no leader"))],
                     horizontal=True)
        group = VGroup(tl, key).arrange(DOWN, buff=0.35)
        key.align_to(tl, RIGHT)
        group.move_to([0, -1.6, 0])
        return tl, key

    def beat_timeout(self) -> None:
        self.clear_stage()
        start, e = STORY.step("start"), ELECTIONS[0]
        for v in start.servers:
            self.nodes[v.id].set_state(role=FOLLOWER, term=v.term, alive=True).set_timer(1.0)
        bars = CountdownBars([(v.name, v.timeout_ms) for v in start.servers], width=2.6)  # type: ignore[misc]
        lo, hi = TIMEOUT_RANGE
        title = text(f"election timeouts, random {lo}–{hi} ms", TYPE.small, MUTED)
        panel = panel_top(VGroup(title, bars).arrange(DOWN, aligned_edge=LEFT, buff=0.3), 0.4)
        self.play(FadeIn(self.node_group()), *self.swap_panel(panel), run_time=TIMING.normal)
        self.hold()
        now = e.timeout.time_ms
        self.play(*[self.nodes[v.id].to_state(timer=timer_left(v, now)) for v in start.servers],
                  *bars.run_to(now), run_time=4.0, rate_func=linear)
        cand, me = e.candidate, e.timeout.server(e.candidate)
        first = text("← first", TYPE.small, AMBER).next_to(bars.values[me.name], RIGHT, buff=0.25)
        became = text(f"S{cand}: candidate for term {me.term}, votes for itself", TYPE.small, AMBER)
        became.next_to(panel, DOWN, buff=0.5).align_to(panel, LEFT)
        self.play(self.nodes[cand].to_state(role=CANDIDATE, term=me.term, timer=None),
                  FadeIn(first), bars.flag(me.name), FadeIn(became), run_time=TIMING.normal)
        self.panel.add(first, became)
        self.hold()
        peers = [m.dst for m in e.requests]
        self.play(*self.star(cand, peers), run_time=TIMING.fast)
        self.hold(0.8)
        # the requests leave slowly and the beat ends with them on the wire; `votes` lands them
        self.pills = self.fly([(cand, p, "vote") for p in peers], stop=0.55, run_time=1.6)
        self.pill_paths = [(cand, p) for p in peers]

    def beat_votes(self) -> None:
        e = ELECTIONS[0]
        cand = e.candidate
        tally = Tally(f"votes for S{cand}", STORY.n, STORY.majority, 1)
        panel_top(tally, 0.4)
        self.play(*self.land(self.pills, self.pill_paths), *self.swap_panel(tally), run_time=0.5)
        tags = [self.verdict_at(m.dst, bool(m.ok), "yes", cand) for m in e.requests]
        self.play(*[FadeOut(p) for p in self.pills], *[FadeIn(t) for t in tags],
                  *self.restyle(e.asked, timers_at=e.asked.time_ms), run_time=TIMING.normal)
        self.hold()
        once = text("one vote per server per term", TYPE.small, MUTED)
        once.next_to(tally, DOWN, buff=0.3).align_to(tally, LEFT)
        self.play(*[FadeOut(t) for t in tags], FadeIn(once), run_time=TIMING.fast)
        self.panel.add(once)
        for m, count in zip(e.replies(), e.running_votes()[1:]):
            pill, trip = send(self.nodes[m.src], self.nodes[m.dst], "yes" if m.ok else "no",
                              run_time=0.55)
            self.play(trip)
            promote = count == STORY.majority and e.won
            self.play(FadeOut(pill), tally.count_to(count),
                      *([self.nodes[cand].to_state(role=LEADER)] if promote else []),
                      run_time=0.35)
            self.hold(0.8 if promote else 0.2)
        self.hold(0.5)
        self.send_heartbeats(next_step(STORY, e.counted))

    def send_heartbeats(self, hb: Step) -> None:
        """Not a storyboard beat: the end of `votes`, the leader's empty AppendEntries."""
        leader = hb.focus
        beats = [m for m in hb.of_kind("AppendEntries") if m.src == leader]
        assert all(m.get("entries") == () for m in beats)
        legend = Legend([(Message(), "heartbeat: AppendEntries, no entries"),
                         (TimerBadge(0.9), "election timer restarts")])
        legend.next_to(self.panel, DOWN, buff=0.45).align_to(self.panel, LEFT)
        pills = self.fly([(leader, m.dst, "") for m in beats])  # type: ignore[misc]
        self.play(*[FadeOut(p) for p in pills], *self.restyle(hb, timers_at=hb.time_ms),
                  FadeIn(legend), run_time=TIMING.normal)
        self.panel.add(legend)

    def beat_replicate(self) -> None:
        r = REPLICATIONS[0]
        leader, (index, _, command) = r.leader, r.entry
        before = next_step(STORY, r.append, -1)
        self.table = self.make_table(before)
        client = text("client", TYPE.small, MUTED).move_to(RING_CENTER + UP * 0.3)
        self.play(*self.swap_panel(self.table), *self.restyle(before, timers_at=None),
                  FadeIn(client), run_time=TIMING.normal)
        self.hold()
        pill = Message(command).next_to(client, DOWN, buff=0.1)
        self.play(FadeIn(pill), run_time=0.2)
        self.play(hop(pill, self.nodes[leader].edge_point(pill.get_center(), 0.35), run_time=0.8))
        self.play(FadeOut(pill), FadeOut(client), *self.sync_table(r.append),
                  *self.note(f"S{leader}", None, f"appends at {index}"), run_time=TIMING.normal)
        self.hold(0.8)
        check = text(consistency_words(command, *r.prev()), TYPE.small, INK)
        self.under_table(check)
        pills = self.fly([(m.src, m.dst, command) for m in r.sent], lost=set(r.lost_at()))
        self.play(FadeIn(check), run_time=TIMING.fast)
        self.hold(0.6)
        self.play(*[FadeOut(p) for p in pills], *self.sync_table(r.store),
                  *self.notes_for({f"S{d}": (True, "stored") for d in r.stored_by()}),
                  run_time=TIMING.normal)
        self.hold()
        self.acks(r)
        self.play(*self.sync_table(r.commit),
                  *self.note(f"S{leader}", None, f"commitIndex {r.commit_index}"),
                  run_time=TIMING.normal)

    def under_table(self, *rows: Mobject) -> VGroup:
        """Lines under the log table, left-aligned with its names; they join the panel."""
        assert self.table is not None
        group = VGroup(*rows).arrange(DOWN, aligned_edge=LEFT, buff=0.3)
        group.next_to(self.table, DOWN, buff=0.3).align_to(self.table.names, LEFT)
        self.panel.add(*rows)
        return group

    def clear_under_table(self) -> list[Animation]:
        """Fade out everything in the panel but the table."""
        assert self.table is not None
        old = [m for m in self.panel if m is not self.table]
        self.panel = VGroup(self.table)
        return [FadeOut(m) for m in old]

    def notes_for(self, notes: dict[str, tuple[bool | None, str]]) -> list[Animation]:
        return [a for name, (ok, words) in notes.items() for a in self.note(name, ok, words)]

    def down_notes(self, step: Step) -> list[Animation]:
        """Fresh row notes: 'down' for every crashed server, nothing for the others."""
        return self.clear_notes() + self.notes_for(
            {v.name: (False, "down") for v in step.servers if not v.alive})

    def acks(self, r: Replication, tally: Tally | None = None) -> None:
        """The followers' replies fly back; a tally (if any) counts the copies held."""
        replies = r.store.of_kind("AppendEntriesReply")
        pills = self.fly([(m.src, m.dst, "ok") for m in replies], run_time=0.7, vanish=True)
        self.play(*[FadeOut(p) for p in pills],
                  *([tally.count_to(len(r.holders()))] if tally else []), run_time=0.5)

    def beat_commit(self) -> None:
        r = REPLICATIONS[1]
        leader, (_, _, command) = r.leader, r.entry
        crashed = next_step(STORY, r.append, -1)
        self.play(*self.restyle(crashed), *self.down_notes(crashed), *self.clear_under_table(),
                  run_time=TIMING.normal)
        self.hold()
        self.play(*self.sync_table(r.append), run_time=TIMING.normal)
        self.hold(0.4)
        pills = self.fly([(m.src, m.dst, command) for m in r.sent], lost=set(r.lost_at()))
        prev_index, prev_term = r.prev()
        self.play(*[FadeOut(p) for p in pills], *self.sync_table(r.store),
                  *self.notes_for({f"S{d}": (True, f"index {prev_index} is t{prev_term}")
                                   for d in r.stored_by()}),
                  run_time=TIMING.normal)
        self.hold()
        tally = Tally(f"{command} stored on", STORY.n, STORY.majority, 1, compact=True)
        why = text(commit_words(r, STORY.majority), TYPE.small, GREEN)
        self.under_table(tally, why)
        self.play(FadeIn(tally), run_time=TIMING.fast)
        self.acks(r, tally)
        self.hold(0.5)
        self.play(*self.sync_table(r.commit), FadeIn(why),
                  *self.note(f"S{leader}", None, f"commitIndex {r.commit_index}"),
                  run_time=TIMING.normal)
        self.hold()
        known = next_step(STORY, r.commit)
        told = [m for m in known.of_kind("AppendEntries") if m.status == "delivered"]
        pills = self.fly([(m.src, m.dst, "") for m in told], run_time=0.7)
        self.play(*[FadeOut(p) for p in pills], *self.sync_table(known),
                  *self.notes_for({f"S{m.dst}": (None, f"commitIndex {known.server(m.dst).commit_index}")
                                   for m in told}),
                  run_time=TIMING.normal)

    def election_round(self, e: Election, since: Step) -> None:
        """Timers run from `since` until the candidate's fires; it asks; its peers answer."""
        self.timers_run(since, since.time_ms, e.timeout.time_ms, run_time=2.0)
        peers = [m.dst for m in e.requests]
        self.play(*self.restyle(e.timeout, timers_at=e.timeout.time_ms), *self.star(e.candidate, peers),
                  run_time=TIMING.normal)
        self.hold(0.5)
        lost = {m.dst for m in e.requests if m.status == "lost"}
        pills = self.fly([(e.candidate, p, "vote") for p in peers], lost=lost)
        me = e.asked.server(e.candidate)
        answers = {f"S{m.dst}": (True, "votes yes") if m.ok else
                   (False, refusal_words(e.asked.server(m.dst), me))
                   for m in e.requests if m.status == "delivered"}
        self.play(*[FadeOut(p) for p in pills], *self.restyle(e.asked), *self.notes_for(answers),
                  run_time=TIMING.normal)
        self.hold()

    def beat_stale(self) -> None:
        e = ELECTIONS[1]
        crash = crash_step(STORY, FIRST, ELECTIONS[0].counted.time_ms)
        assert crash is not None
        self.play(*self.restyle(crash, timers_at=crash.time_ms), *self.down_notes(crash),
                  *self.clear_under_table(), run_time=TIMING.normal)
        self.hold()
        self.election_round(e, crash)
        mine = e.asked.server(e.candidate)
        theirs = e.asked.server(next(m.dst for m in e.requests if m.ok is False))
        compare = text(f"S{e.candidate}'s last entry: {last_entry(mine)}. "
                       f"Theirs: {last_entry(theirs)}.", TYPE.small, INK)
        tally = Tally(f"votes for S{e.candidate}", STORY.n, STORY.majority, 1, compact=True)
        self.under_table(compare, tally)
        self.play(FadeIn(compare), run_time=TIMING.normal)
        self.hold()
        pills = self.fly([(m.src, m.dst, "no") for m in e.replies()], run_time=0.7, vanish=True)
        self.play(*[FadeOut(p) for p in pills], FadeIn(tally), run_time=TIMING.fast)

    def beat_reelect(self) -> None:
        e = ELECTIONS[2]
        prior = next_step(STORY, e.timeout, -1)
        self.play(*self.clear_under_table(), *self.down_notes(prior), run_time=TIMING.fast)
        tally = Tally(f"votes for S{e.candidate}", STORY.n, STORY.majority, 1, compact=True)
        self.under_table(tally)
        self.election_round(e, prior)
        self.play(FadeIn(tally), run_time=TIMING.fast)
        pills = self.fly([(m.src, m.dst, "yes") for m in e.replies()], run_time=0.7, vanish=True)
        leader = e.counted.server(e.candidate)
        self.play(*[FadeOut(p) for p in pills], tally.count_to(e.votes),
                  *self.restyle(e.counted, timers_at=None), *self.down_notes(e.counted),
                  *self.note(leader.name, None, f"commitIndex {leader.commit_index}"),
                  run_time=TIMING.normal)
        self.hold(0.8)
        self.repair(next_step(STORY, e.counted), tally)

    def repair(self, hb: Step, tally: Tally) -> None:
        """The new leader's first heartbeat finds a gap; it steps back and fills it."""
        sent = hb.of_kind("AppendEntries")
        pills = self.fly([(m.src, m.dst, "") for m in sent], run_time=0.7,
                         lost={m.dst for m in sent if m.status == "lost"})
        self.play(*[FadeOut(p) for p in pills], *self.notes_for(
            {f"S{m.dst}": (True, "in step") if m.ok else
             (False, f"no entry at {m.get('prev_log_index')}")
             for m in sent if m.status == "delivered"}), run_time=TIMING.fast)
        self.hold(0.6)
        backup = next_step(STORY, hb)
        retry = backup.of_kind("AppendEntries")
        pills = self.fly([(m.src, m.dst, ", ".join(c for _, _, c in m.get("entries")))  # type: ignore[union-attr]
                          for m in retry], run_time=0.7)
        fixed = next_step(STORY, backup)
        self.play(*[FadeOut(p) for p in pills], *self.sync_table(fixed),
                  *self.notes_for({f"S{m.dst}": (True, "repaired") for m in retry}),
                  run_time=TIMING.normal)
        kept = survivors(STORY, fixed)
        last = text(f"committed {', '.join(kept)}: kept through every change of leader",
                    TYPE.small, GREEN).move_to(tally, aligned_edge=LEFT)
        self.play(FadeOut(tally), FadeIn(last), run_time=TIMING.normal)
