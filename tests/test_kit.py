"""The shared kit: each component built once and checked for what a viewer would notice.

"Text at least 24 px" is about type size (the em, as in CSS): a 30 px label's capitals measure
about 22 px. So sizes are checked as em pixels at 1080p (`px_of`), and glyph heights are checked
to be in proportion to that em, which catches text squeezed by a later scale-to-fit.
"""

from __future__ import annotations

import numpy as np
import pytest
from manim import DOWN, RIGHT, Circle, Mobject, Text, VGroup
from manim.utils.color import ManimColor

from explainers.kit.callout import Callout, Legend
from explainers.kit.gauges import CountdownBars, Tally
from explainers.kit.log import LogCell, LogStrip, LogTable
from explainers.kit.messages import Message, Verdict, send, travel_time
from explainers.kit.nodes import (
    CANDIDATE,
    FOLLOWER,
    LEADER,
    ROLE_COLOR,
    ServerNode,
    edge,
    node_ring,
    timer_sweep,
)
from explainers.kit.stage import clamp_to_stage, layout_problems, ring_positions, texts
from explainers.kit.text import px_of, text
from explainers.kit.theme import AMBER, BG, GREEN, LAYOUT, MUTED, RED, TYPE, VIOLET
from explainers.kit.timeline import Timeline

UNITS_PER_PX = 8 / 1080  # Manim units per pixel at 1080p
MIN_PX = 24  # STYLE.md: nothing below 24 px at 1080p


def same(a: object, b: object) -> bool:
    return ManimColor(a).to_hex().lower() == ManimColor(b).to_hex().lower()  # type: ignore[arg-type]


def inside(inner: Mobject, outer: Mobject, pad: float = 0.0) -> bool:
    """inner's bounding box lies within outer's (shrunk by pad)."""
    return (inner.get_left()[0] >= outer.get_left()[0] + pad
            and inner.get_right()[0] <= outer.get_right()[0] - pad
            and inner.get_bottom()[1] >= outer.get_bottom()[1] + pad
            and inner.get_top()[1] <= outer.get_top()[1] - pad)


def readable(m: Mobject) -> None:
    """Every visible text of m: em >= TYPE.small (hence >= 24 px), glyphs not squeezed."""
    found = texts([m])
    assert found, "no visible text"
    for t in found:
        assert px_of(t) >= TYPE.small - 0.5 >= MIN_PX, (t.text, px_of(t))
        assert t.height >= 0.45 * px_of(t) * UNITS_PER_PX, (t.text, t.height)


def finish(anim) -> None:  # type: ignore[no-untyped-def]
    """Run an animation to its end without a scene."""
    anim.scene = None  # compositions (Succession) ask their scene to introduce each part
    anim.begin()
    anim.interpolate(1.0)
    anim.finish()


# -- text and stage ------------------------------------------------------------------------------

def test_text_refuses_sizes_below_the_floor() -> None:
    assert px_of(text("ok", TYPE.small)) == pytest.approx(TYPE.small)
    with pytest.raises(ValueError):
        text("tiny", TYPE.small - 1)


def test_ring_positions_are_evenly_spaced_clockwise_from_the_top() -> None:
    pts = ring_positions(5, (1, 2, 0), 2.0)
    assert np.allclose(pts[0], [1, 4, 0])
    assert pts[1][0] > 1  # clockwise: the second is to the right
    assert all(np.linalg.norm(p - [1, 2, 0]) == pytest.approx(2.0) for p in pts)
    oval = ring_positions(5, radius=2.0, radius_y=1.0)
    assert max(p[1] for p in oval) == pytest.approx(1.0)


def test_layout_problems_catch_caption_band_overlap_and_small_text() -> None:
    a = text("left label", TYPE.small).move_to([0, 0, 0])
    b = text("right label", TYPE.small).move_to([0.3, 0, 0])
    low = text("too low", TYPE.small).move_to([0, LAYOUT.caption_top - 0.2, 0])
    found = layout_problems([a, b, low])
    assert any("overlaps" in p for p in found)
    assert any("caption band" in p for p in found)
    small = Text("small", font_size=8)
    assert any("px" in p for p in layout_problems([small]))
    clamp_to_stage(low)
    assert low.get_bottom()[1] >= LAYOUT.caption_top - 1e-6
    assert layout_problems([text("alone", TYPE.label)]) == []


# -- nodes ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", [FOLLOWER, CANDIDATE, LEADER])
def test_node_is_coloured_by_role_and_has_a_shape_cue(role: str) -> None:
    node = ServerNode("S3", role, 2)
    assert same(node.body.get_stroke_color(), ROLE_COLOR[role])
    rings = node.outer.get_stroke_opacity() > 0
    crown = node.crown.get_fill_opacity() > 0
    # the cue that survives greyscale: 1 ring / 2 rings / 2 rings and a crown
    assert (rings, crown) == {FOLLOWER: (False, False), CANDIDATE: (True, False),
                              LEADER: (True, True)}[role]
    readable(node)


def test_node_labels_sit_inside_the_circle_name_above_term() -> None:
    node = ServerNode("S5", FOLLOWER, 12).at([2, -1, 0])
    assert np.allclose(node.center, [2, -1, 0])
    assert inside(node.name_label, node.body, pad=0.05)
    assert inside(node.term_label, node.body, pad=0.05)
    assert node.name_label.get_bottom()[1] > node.term_label.get_top()[1]
    assert node.name_label.text == "S5" and node.term_label.text == "t12"


def test_crashed_node_is_grey_dashed_with_a_red_badge_and_readable_name() -> None:
    node = ServerNode("S2", LEADER, 3, alive=False)
    assert node.body.get_stroke_opacity() == 0 and node.dashes.get_stroke_opacity() > 0
    assert node.crown.get_fill_opacity() == 0
    assert node.x_mark.get_fill_opacity() > 0 and same(node.x_mark[0].get_fill_color(), RED)
    assert not inside(node.x_mark, node.name_label)  # the badge does not cover the name
    assert node.name_label.get_fill_opacity() > 0


def test_to_state_animates_role_term_and_timer_and_keeps_attributes_in_step() -> None:
    node = ServerNode("S1", FOLLOWER, 1).set_timer(1.0)
    anim = node.to_state(role=LEADER, term=2, timer=None)
    assert (node.role, node.term) == (LEADER, 2)
    finish(anim)
    assert same(node.body.get_stroke_color(), GREEN)
    assert node.crown.get_fill_opacity() > 0
    assert node.timer.face.get_stroke_opacity() == 0 and node.timer_fraction is None
    readable(node)


def test_timer_badge_is_a_pie_of_the_time_left_clear_of_the_rings() -> None:
    node = ServerNode("S1", CANDIDATE, 1)
    finish(timer_sweep(node, 1.0, 0.25))
    badge = node.timer
    assert node.timer_fraction == 0.25 and badge.fraction == pytest.approx(0.25)
    assert badge.face.get_stroke_opacity() > 0 and badge.pie.get_fill_opacity() > 0
    full = ServerNode("S1").set_timer(1.0).timer.pie
    assert badge.pie.width < full.width  # a quarter pie is narrower than the whole disc
    # a badge, not a ring: it sits outside the circle's box, off the centre lines
    assert badge.get_center()[0] > node.body.get_right()[0] - badge.width
    assert badge.get_center()[1] > node.body.get_top()[1] - badge.height
    finish(node.to_state(timer=None))
    assert badge.face.get_stroke_opacity() == 0
    finish(node.to_state(timer=0.5))
    assert badge.face.get_stroke_opacity() == 1 and badge.fraction == pytest.approx(0.5)
    finish(node.to_state(alive=False))
    assert badge.face.get_stroke_opacity() == 0  # a crashed server shows its red badge instead


def test_node_ring_and_edges_join_rims_not_centres() -> None:
    ring = node_ring(["S1", "S2"], [np.array([-2.0, 0, 0]), np.array([2.0, 0, 0])])
    line = edge(ring[0], ring[1])
    assert line.get_left()[0] > ring[0].body.get_right()[0]
    assert line.get_right()[0] < ring[1].body.get_left()[0]


# -- messages ------------------------------------------------------------------------------------

def test_message_is_a_violet_pill_with_its_label_inside() -> None:
    msg = Message("vote t2")
    assert same(msg.pill.get_fill_color(), VIOLET)
    assert inside(msg.label, msg.pill)
    assert msg.pill.width > msg.pill.height
    readable(msg)
    assert Message().label.get_fill_opacity() == 0  # a bare pill (e.g. a heartbeat)


def test_send_moves_a_pill_from_rim_to_rim_at_readable_speed() -> None:
    a, b = ServerNode("S1").at([-3, 0, 0]), ServerNode("S2").at([3, 0, 0])
    msg, trip = send(a, b, "ok")
    assert msg.get_center()[0] < a.body.get_right()[0] + msg.width
    finish(trip)
    assert msg.get_right()[0] <= b.body.get_left()[0] + 0.05
    assert msg.get_center()[0] > 0
    assert 0.5 <= travel_time(a.center, b.center) <= 1.2
    half, _ = send(a, b, "lost", stop=0.5)
    assert half.get_center()[0] < 0


def test_verdicts_pair_colour_with_an_icon_and_a_word() -> None:
    yes, no = Verdict(True, "yes"), Verdict(False, "no · longer log")
    assert same(yes.words.get_fill_color(), GREEN) and same(no.words.get_fill_color(), RED)
    assert yes.icon.get_left()[0] < yes.words.get_left()[0]
    assert no.flip().icon.get_left()[0] > no.words.get_right()[0]
    readable(yes)


# -- logs ----------------------------------------------------------------------------------------

def test_log_cell_committed_is_solid_green_uncommitted_dashed() -> None:
    done, pending = LogCell(1, 3, "x=1", committed=True), LogCell(2, 3, "y=2")
    assert same(done.box.get_stroke_color(), GREEN) and done.dashed.get_stroke_opacity() == 0
    assert pending.box.get_stroke_opacity() == 0 and pending.dashed.get_stroke_opacity() > 0
    assert inside(done.command_label, done.box) and inside(done.term_label, done.box)
    assert done.term_label.text == "t3"
    readable(done)
    strip = LogStrip([(1, 1, "x=1"), (2, 1, "y=2")], slots=3, commit_index=1, show_index=True)
    assert strip.cells[1].committed and not strip.cells[2].committed
    finish(strip.commit_to(2)[0])
    assert strip.cells[2].committed and same(strip.cells[2].box.get_stroke_color(), GREEN)


def test_log_table_rows_line_up_under_their_indexes() -> None:
    table = LogTable({"S1": [(1, 1, "x=1")], "S2": [(1, 1, "x=1"), (2, 2, "y=2")]}, slots=3,
                     commit_index={"S2": 2})
    s1, s2 = table.rows["S1"], table.rows["S2"]
    for k in (1, 2, 3):
        assert s1.slot(k).get_x() == pytest.approx(s2.slot(k).get_x())
        assert table.header[k - 1].get_x() == pytest.approx(s1.slot(k).get_x())
    assert s1.get_y() > s2.get_y()
    assert all(n.get_right()[0] < s1.get_left()[0] for n in table.names)
    cell = s2.make_cell(3, 2, "z=3")
    assert cell.get_center() == pytest.approx(s2.slot(3).get_center())
    readable(table)


# -- timeline, gauges, callouts ------------------------------------------------------------------

def test_timeline_maps_time_to_x_and_labels_spans_and_marks() -> None:
    tl = Timeline(0, 100, width=10)
    assert tl.x(0) == pytest.approx(-5) and tl.x(100) == pytest.approx(5)
    bar = tl.span(20, 60, AMBER)[0]
    assert bar.width == pytest.approx(4.0)
    br = tl.bracket(20, 60, "term 2")
    assert br[2].get_bottom()[1] > bar.get_top()[1]
    mark = tl.mark(60, "crash", RED)
    assert mark[1].get_top()[1] < tl.axis.get_center()[1]
    readable(tl)


def test_tally_turns_green_at_the_threshold_and_fills_one_dot_per_count() -> None:
    tally = Tally("votes for S1", total=5, threshold=3, value=2)
    assert same(tally.number.get_fill_color(), AMBER) and tally.number.text == "2/5"  # Text.text drops spaces
    assert [d.get_fill_color() for d in tally.dots][:2] == [tally.dots[0].get_fill_color()] * 2
    finish(tally.count_to(3))
    assert tally.reached and same(tally.dots[2].get_fill_color(), GREEN)
    assert same(tally.threshold_line.get_stroke_color(), GREEN)
    assert tally.threshold_line.get_x() == pytest.approx(
        (tally.dots[2].get_right()[0] + tally.dots[3].get_left()[0]) / 2)
    readable(tally)
    compact = Tally("up", 5, 3, 3, compact=True)
    assert compact.height < tally.height / 2
    readable(compact)
    with pytest.raises(ValueError):
        Tally("bad", 5, 6)


def test_countdown_bars_share_one_scale_and_the_shortest_runs_out_first() -> None:
    bars = CountdownBars([("S1", 244), ("S2", 201), ("S3", 300)], width=3.0)
    widths = {k: b.width for k, b in bars.bars.items()}
    assert widths["S3"] == pytest.approx(3.0) and widths["S2"] / widths["S1"] == pytest.approx(201 / 244)
    for anim in bars.run_to(201):
        finish(anim)
    assert bars.bars["S2"].width < 0.01
    finish(bars.flag("S2"))
    assert same(bars.values["S2"].get_fill_color(), AMBER)
    assert bars.bars["S1"].width == pytest.approx(43 * bars.scale, rel=0.02)
    assert same(bars.bars["S1"].get_fill_color(), MUTED)
    readable(bars)


def test_callout_sits_beside_its_target_and_legend_rows_align() -> None:
    target = Circle(radius=0.5)
    note = Callout("timed out first", target, RIGHT, AMBER)
    assert note.words.get_left()[0] > target.get_right()[0]
    below = Callout("two\nlines", target, DOWN, pointer=True)
    assert below.words.get_top()[1] < target.get_bottom()[1] and len(below.words) == 2
    legend = Legend([(Circle(radius=0.4), "follower"), (Message(), "message"),
                     (Message("x=1"), "entry")])
    lefts = [row[2].get_left()[0] for row in legend.rows]
    assert max(lefts) - min(lefts) < 1e-6
    assert legend.rows[0][1].width <= 0.5 + 1e-6  # plain symbols are scaled to the slot
    readable(legend)
    flat = Legend([(Circle(radius=0.2), "a"), (Circle(radius=0.2), "b")], horizontal=True)
    assert flat.rows[1].get_left()[0] > flat.rows[0].get_right()[0]


def test_components_use_theme_colours_only() -> None:
    palette = {ManimColor(c).to_hex().lower() for c in
               ("#0E1116", "#E6EDF3", "#8B949E", "#30363D", "#58A6FF", "#F2B84B", "#3FB950",
                "#F85149", "#BC8CFF", "#161B22", "#5A626D", "#000000", "#FFFFFF")}
    things = VGroup(ServerNode("S1", LEADER, 1), Message("m"), Verdict(False, "no"),
                    Tally("t", 5, 3, 1), Timeline(0, 1))
    for m in things.get_family():
        used = []
        if m.has_points() and m.get_stroke_width() > 0 and m.get_stroke_opacity() > 0:
            used.append(m.get_stroke_color())
        if m.has_points() and m.get_fill_opacity() > 0:
            used.append(m.get_fill_color())
        for c in used:
            hexed = ManimColor(c).to_hex().lower()
            assert hexed in palette or _is_tint(hexed), (type(m).__name__, hexed)


def _is_tint(hexed: str) -> bool:
    """Fills are the background lightly tinted by a palette colour (kit.nodes.tint)."""
    bg = np.array(ManimColor(BG).to_rgb())
    return bool(np.linalg.norm(np.array(ManimColor(hexed).to_rgb()) - bg) < 0.25)
