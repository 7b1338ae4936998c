"""Kit charts and matrices: what a viewer would notice (size, place, colour by meaning), per component."""

from __future__ import annotations

import numpy as np
import pytest
from manim import Camera, Circle, Mobject, Text, VGroup, VMobject, color_to_rgb

from explainers.kit.charts import (
    ACCEPTED,
    PENDING,
    REJECTED,
    LevelGauge,
    RequestTicks,
    TimeAxis,
    WindowBracket,
    chip,
    level_curve,
    replay,
    request_legend,
    request_mark,
    stack_levels,
)
from explainers.kit.matrix import (
    CELL,
    LabelledMatrix,
    VectorCells,
    baseline,
    morph,
    two_decimals,
)
from explainers.kit.text import px_of
from explainers.kit.theme import AMBER, BG, BLUE, GREEN, MUTED, PANEL, RED, VIOLET

MIN_PX = 24  # STYLE.md: no text under 24 px at 1080p


def texts(m: Mobject) -> list[Text]:
    return [s for s in m.get_family() if isinstance(s, Text)]


def assert_readable(m: Mobject) -> None:
    for t in texts(m):
        assert px_of(t) >= MIN_PX, f"'{t.text}' is {px_of(t):.0f} px"


def render(m: Mobject, width: int = 480) -> tuple[np.ndarray, Camera]:
    """The mobject drawn alone on the series background, 16:9, `width` px wide."""
    cam = Camera(pixel_width=width, pixel_height=width * 9 // 16, background_color=BG)
    cam.capture_mobject(m)
    return np.asarray(cam.get_image().convert("RGB"), dtype=int), cam


def pixel_at(img: np.ndarray, cam: Camera, point: np.ndarray) -> np.ndarray:
    """The RGB at a scene point."""
    h, w = img.shape[:2]
    x = round((point[0] / cam.frame_width + 0.5) * (w - 1))
    y = round((0.5 - point[1] / cam.frame_height) * (h - 1))
    return img[y, x]


def near(rgb: np.ndarray, colour: str, tol: int = 40) -> bool:
    return bool(np.abs(rgb - np.array(color_to_rgb(colour)) * 255).max() <= tol)


# -- time axis -----------------------------------------------------------------------------


def test_time_axis_maps_time_linearly_wherever_it_is_moved() -> None:
    axis = TimeAxis(12, 18, 12.0, every=1).shift([0.5, -1.0, 0])
    assert axis.x(12) == pytest.approx(axis.line.get_start()[0])
    assert axis.x(18) == pytest.approx(axis.line.get_end()[0])
    assert axis.x(15) == pytest.approx(0.5)
    assert axis.units_per_second() == pytest.approx(2.0)
    assert axis.point(13, 0.4)[1] == pytest.approx(-1.0 + 0.4)
    assert [t.text for t in axis.labels] == ["12", "13", "14", "15", "16", "17", "18s"]
    assert_readable(axis)


def test_time_axis_refuses_an_empty_span() -> None:
    with pytest.raises(ValueError):
        TimeAxis(3, 3, 5.0)


# -- request marks -------------------------------------------------------------------------


def test_marks_carry_meaning_in_colour_and_shape() -> None:
    ok, no, waiting = request_mark(ACCEPTED), request_mark(REJECTED), request_mark(PENDING)
    assert isinstance(ok, Circle) and ok.get_fill_opacity() == 1.0
    assert ok.get_fill_color().to_hex().upper() == GREEN.upper()
    assert isinstance(no, VGroup) and len(no) == 2  # a cross: readable without colour
    assert all(line.get_stroke_color().to_hex().upper() == RED.upper() for line in no)
    assert isinstance(waiting, Circle) and waiting.get_fill_opacity() == 0.0  # a ring
    assert waiting.get_stroke_color().to_hex().upper() == VIOLET.upper()


def test_marks_render_green_for_accepted_and_red_for_rejected() -> None:
    axis = TimeAxis(0, 4, 10.0)
    ticks = RequestTicks(axis, [1.0, 3.0], [ACCEPTED, REJECTED], size=0.4)
    img, cam = render(VGroup(axis, ticks))
    assert near(pixel_at(img, cam, ticks[0].get_center()), GREEN)
    assert near(pixel_at(img, cam, ticks[1].get_center()), RED)


def test_crowded_requests_stack_and_spaced_ones_stay_in_a_row() -> None:
    assert stack_levels([0.0, 0.1, 0.25, 0.35], size=0.2) == [0, 1, 0, 1]
    assert stack_levels([0.0, 0.05, 0.1], size=0.2) == [0, 1, 2]
    assert stack_levels([0.0, 0.5, 1.0], size=0.2) == [0, 0, 0]
    axis = TimeAxis(15, 17, 4.0)
    ticks = RequestTicks(axis, [15.5, 15.55, 16.5], [ACCEPTED] * 3, size=0.2)
    assert ticks[1].get_center()[1] > ticks[0].get_center()[1]  # stacked above its neighbour
    assert ticks[2].get_center()[1] == pytest.approx(ticks[0].get_center()[1])
    for a, b in [(0, 1), (0, 2), (1, 2)]:  # marks never overlap
        d = np.linalg.norm(ticks[a].get_center() - ticks[b].get_center())
        assert d >= 0.2


def test_marks_until_show_only_what_happened_inside_the_axis() -> None:
    axis = TimeAxis(12, 18, 12.0)
    times = [6.0, 15.5, 16.0, 17.0]
    shown = RequestTicks.until(axis, times, [ACCEPTED, ACCEPTED, REJECTED, ACCEPTED], t=16.2)
    assert shown.times == (15.5, 16.0)  # 6.0 is off the axis, 17.0 has not happened yet
    every = RequestTicks.until(axis, times, [ACCEPTED] * 4, t=16.2, hide_future=False)
    assert isinstance(every[-1], Circle) and every[-1].get_fill_opacity() == 0.0  # pending ring


def test_legend_and_chip_are_readable() -> None:
    legend = request_legend()
    assert [t.text for t in texts(legend)] == ["arriving", "passed", "rejected·429"]
    assert_readable(legend)
    tag = chip("429", RED, mono=True)
    assert tag[0].width > tag[1].width and tag[0].height > tag[1].height  # text inside the box
    assert_readable(tag)


# -- gauge -----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0.0, 0.5, 2.5, 4.0])
def test_gauge_fill_height_follows_the_value(value: float) -> None:
    gauge = LevelGauge(value, 4, "tokens", height=3.0, width=1.5)
    inner = 3.0 - 0.06
    if value:
        assert gauge.fill.height == pytest.approx(inner * value / 4, abs=1e-3)
    assert gauge.fill.get_bottom()[1] >= gauge.wall.get_bottom()[1]
    assert gauge.fill.get_top()[1] <= gauge.wall.get_top()[1] + 1e-6
    assert gauge.number.text == f"{value:.1f}/4"  # Text drops spaces in .text
    assert gauge.number.get_bottom()[1] > gauge.wall.get_top()[1]
    assert gauge.caption.get_top()[1] < gauge.wall.get_bottom()[1]
    assert_readable(gauge)


def test_gauge_renders_its_colour_where_it_is_filled() -> None:
    gauge = LevelGauge(3.0, 4, height=3.0, width=1.5, color=BLUE)
    img, cam = render(gauge)
    assert not near(pixel_at(img, cam, gauge.fill.get_center()), BG)
    empty = gauge.fill.get_top() + np.array([0, 0.3, 0])
    assert near(pixel_at(img, cam, empty), BG)


# -- window bracket and curve -----------------------------------------------------------------


def test_window_bracket_spans_its_window_and_clips_at_the_axis() -> None:
    axis = TimeAxis(12, 18, 12.0)
    win = WindowBracket(axis, 12.3, 16.3, "last 4 s", AMBER, height=1.2)
    assert win.band.get_left()[0] == pytest.approx(axis.x(12.3))
    assert win.band.get_right()[0] == pytest.approx(axis.x(16.3))
    assert win.text.get_bottom()[1] > win.bracket.get_top()[1]
    assert len(win.bracket) == 3  # a top line and two end caps
    clipped = WindowBracket(axis, 10.0, 14.0, "", AMBER)
    assert clipped.band.get_left()[0] == pytest.approx(axis.x(12))
    assert len(clipped.bracket) == 2  # no cap where the window runs off the axis
    assert_readable(win)


def test_level_curve_puts_capacity_at_the_given_height() -> None:
    axis = TimeAxis(0, 10, 10.0)
    curve = level_curve(axis, [(0, 4.0), (5, 0.0), (10, 2.0)], capacity=4, height=2.0)
    y0 = axis.line.get_center()[1]
    assert curve.get_top()[1] == pytest.approx(y0 + 2.0)
    assert curve.get_bottom()[1] == pytest.approx(y0)
    assert curve.get_left()[0] == pytest.approx(axis.x(0))


def test_replay_leaves_the_picture_at_the_end_time() -> None:
    class FakeScene:
        def __init__(self) -> None:
            self.mobjects: list[Mobject] = []
            self.played = 0

        def add(self, *ms: Mobject) -> None:
            self.mobjects.extend(ms)

        def remove(self, *ms: Mobject) -> None:
            self.mobjects = [m for m in self.mobjects if m not in ms]

        def play(self, *anims: object, **kw: object) -> None:
            self.played += 1

    scene = FakeScene()
    drawn: list[float] = []

    def draw(t: float) -> VMobject:
        drawn.append(t)
        return Circle(radius=0.1 + t)

    final = replay(scene, draw, 0.0, 2.0, run_time=1.0)  # type: ignore[arg-type]
    assert scene.played == 1 and scene.mobjects == [final]
    assert final.width == pytest.approx(2 * 2.1) and drawn[-1] == 2.0


# -- matrices --------------------------------------------------------------------------------


def test_two_decimals_reads_like_the_series() -> None:
    assert two_decimals(0.5412) == "0.54"
    assert two_decimals(-0.129) == "−0.13"
    assert two_decimals(-0.001) == "0.00"  # no "-0.00"
    assert two_decimals(float("-inf")) == "−∞"


def test_five_by_five_matrix_of_two_decimals_fits_its_cells_at_a_readable_size() -> None:
    values = np.array([[-0.13, 1.83, 0.37, -0.41, 0.80]] * 5)
    m = LabelledMatrix(values, rows=list("abcde"), cols=list("vwxyz"))
    assert m.shape == (5, 5) and len(m.cells) == 25
    for i in range(5):
        for j in range(5):
            entry, cell = m.entry(i, j), m.cell(i, j)
            assert entry.width < cell.width - 0.1 and entry.height < cell.height - 0.1
            assert np.allclose(entry.get_center()[:2], cell.get_center()[:2], atol=0.05)
    assert m.cell(0, 1).get_center()[0] - m.cell(0, 0).get_center()[0] == pytest.approx(CELL[0])
    assert m.row_labels[2].get_right()[0] < m.cell(2, 0).get_left()[0]
    assert m.col_labels[3].get_bottom()[1] > m.cell(0, 3).get_top()[1]
    assert_readable(m)


def test_heatmap_is_brighter_for_larger_values_and_masked_cells_are_muted() -> None:
    w = np.array([[1.0, 0.0], [0.54, 0.46]])
    mask = np.array([[False, True], [False, False]])
    m = LabelledMatrix(w, heat=BLUE, heat_range=(0, 1), mask=mask)

    def brightness(i: int, j: int) -> float:
        return float(np.sum(color_to_rgb(m.cell(i, j).get_fill_color())))

    assert brightness(0, 0) > brightness(1, 0) > brightness(1, 1)
    assert m.cell(0, 1).get_fill_color().to_hex().upper() == PANEL.upper()  # masked: no heat
    assert m.entry(0, 1)[0].get_fill_color().to_hex().upper() == MUTED.upper()
    img, cam = render(m.copy().move_to([0, 0, 0]))
    hot = pixel_at(img, cam, m.copy().move_to([0, 0, 0]).cell(0, 0).get_center() + [0.3, 0.2, 0])
    assert hot[2] > hot[0]  # blue where the weight is 1


def test_highlights_frame_exactly_their_row_column_or_cell() -> None:
    m = LabelledMatrix(np.zeros((5, 4)))
    row, col, one = m.highlight_row(2), m.highlight_col(1, GREEN), m.highlight_cell(2, 1)
    assert row.get_left()[0] < m.cell(2, 0).get_left()[0]
    assert row.get_right()[0] > m.cell(2, 3).get_right()[0]
    assert row.get_top()[1] < m.cell(1, 0).get_center()[1]  # does not reach the next row's middle
    assert col.height > 5 * CELL[1] and col.width < 2 * CELL[0]
    assert one.width < 1.3 * CELL[0] and one.height < 1.5 * CELL[1]
    assert row.get_stroke_color().to_hex().upper() == AMBER.upper()


def test_vector_is_a_column_of_cells_or_a_row() -> None:
    v = VectorCells([0.08, 0.54, 0.13], name="w", labels=["the", "river", "bank"])
    assert v.shape == (3, 1)
    assert v.cell(1, 0).get_center()[1] < v.cell(0, 0).get_center()[1]
    assert v.name is not None and v.name.get_bottom()[1] > v.cells.get_top()[1]
    h = VectorCells([1.05, 0.60], horizontal=True)
    assert h.shape == (1, 2)
    assert h.cell(0, 1).get_center()[0] > h.cell(0, 0).get_center()[0]
    assert_readable(VGroup(v, h))


def test_column_labels_share_a_baseline_despite_descenders() -> None:
    m = LabelledMatrix(np.zeros((1, 3)), cols=["the", "steep", "money"])
    lines = {round(baseline(t), 3) for t in m.col_labels}
    assert len(lines) == 1
    assert m.col_labels[1].get_bottom()[1] < m.col_labels[0].get_bottom()[1]  # the "p" hangs


def test_morph_leaves_the_new_matrix_and_never_morphs_digits() -> None:
    class FakeScene:
        def __init__(self, *ms: Mobject) -> None:
            self.mobjects = list(ms)
            self.animations: list[object] = []

        def add(self, *ms: Mobject) -> None:
            self.mobjects.extend(m for m in ms if m not in self.mobjects)

        def remove(self, *ms: Mobject) -> None:
            self.mobjects = [m for m in self.mobjects if m not in ms]

        def play(self, *anims: object, **kw: object) -> None:
            self.animations.extend(anims)

    old = LabelledMatrix(np.array([[3.65, 0.0]]))
    new = LabelledMatrix(np.array([[1.83, 0.0]]))
    scene = FakeScene(old)
    assert morph(scene, old, new) is new  # type: ignore[arg-type]
    assert scene.mobjects == [new]
    kinds = {type(a).__name__: a for a in scene.animations}
    assert set(kinds) == {"Transform", "FadeOut", "FadeIn"}
    assert kinds["Transform"].mobject is old.cells  # colours move, numbers cross-fade
