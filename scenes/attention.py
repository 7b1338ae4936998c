"""Self-attention on "the river bank was steep": embeddings, Q/K/V, scores, softmax, mix, heads.

Every matrix and number is read from `explainers.sim.attention` (the model is imported as
`attn`, since this scene class is also called Attention) and printed with two decimals.
"""

from __future__ import annotations

import math

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    FadeIn,
    MarkupText,
    Mobject,
    TransformFromCopy,
    VGroup,
)

from explainers.kit.charts import chip
from explainers.kit.matrix import LabelledMatrix, VectorCells, morph
from explainers.kit.text import text, typeset
from explainers.kit.theme import (
    AMBER,
    BLUE,
    FONT,
    GREEN,
    INK,
    LAYOUT,
    MUTED,
    TIMING,
    TYPE,
    VIOLET,
    font_size,
)
from explainers.scene import ExplainerScene
from explainers.sim import attention as attn

ATT = attn.story()
CAUSAL = attn.story(causal=True)
TOKENS = ATT.tokens
WORD = "bank"
ROW = TOKENS.index(WORD)
SHORT = {"ambiguous": "ambig", "function": "func", "descriptor": "descr"}
FEATURE_LABELS = [SHORT.get(f, f) for f in attn.FEATURES]
HEAT = BLUE  # weights and scores: brighter = larger


def rich(markup: str, px: float = TYPE.label, color: str = INK) -> MarkupText:
    """Text with Pango markup, for subscripts such as W<sub>Q</sub> and d<sub>k</sub>."""
    return typeset(MarkupText, markup, font=FONT, color=color, font_size=font_size(px))


def sub(s: str) -> str:
    """A subscript one step smaller (Pango's <sub> shrinks text below the 24 px floor)."""
    return f'<span size="smaller" rise="-1pt">{s}</span>'


def sentence(tokens=TOKENS, focus: str | None = WORD) -> VGroup:
    """The sentence as token chips, the focus word in amber."""
    chips = VGroup(*[chip(t, AMBER if t == focus else INK) for t in tokens])
    return chips.arrange(RIGHT, buff=0.18)


class Attention(ExplainerScene):
    """Eight beats from context-free embeddings to heads and word order."""

    topic = "attention"

    def heading(self, words: str) -> Mobject:
        """The beat's claim, top-left where beat 1 shows the topic title (the style still)."""
        h = rich(f"<b>{words}</b>", TYPE.heading * 0.8, INK)
        h.move_to([LAYOUT.left + h.width / 2, LAYOUT.top - h.height / 2, 0])
        self.play(FadeIn(h), run_time=TIMING.fast)
        return h

    def note(self, lines: list[tuple[str, str]], x: float, y: float) -> VGroup:
        """A left-aligned stack of short lines (text, colour) whose top-left is (x, y)."""
        group = VGroup(*[rich(s, TYPE.label, c) for s, c in lines])
        group.arrange(DOWN, aligned_edge=LEFT, buff=0.25)
        return group.move_to([x + group.width / 2, y - group.height / 2, 0])

    def show(self, *animations, run_time: float = TIMING.normal) -> None:
        """Play one step, then hold it ~1 s so the eye catches up before the next change."""
        self.play(*animations, run_time=run_time)
        self.wait(TIMING.hold, frozen_frame=True)

    # -- beats --------------------------------------------------------------------------

    def beat_embeddings(self) -> None:
        words = sentence().move_to([0, 1.75, 0]).align_to([LAYOUT.left, 0, 0], LEFT)
        self.show(FadeIn(words, shift=UP * 0.2), run_time=TIMING.normal)
        X = LabelledMatrix(ATT.X, rows=TOKENS, cols=FEATURE_LABELS)
        X.move_to([0, -0.55, 0]).align_to([LAYOUT.left, 0, 0], LEFT)
        self.show(FadeIn(X), run_time=TIMING.normal)
        w, m = attn.FEATURES.index("water"), attn.FEATURES.index("money")
        marks = VGroup(X.highlight_row(ROW), X.highlight_cell(ROW, w, INK),
                       X.highlight_cell(ROW, m, INK))
        self.show(Create(marks[0]), run_time=TIMING.normal)
        self.show(Create(marks[1:]), run_time=TIMING.normal)
        x = X.grid().get_right()[0] + 0.45
        side = self.note([
            (f"{WORD}: water {ATT.X[ROW, w]:.2f}", INK),
            (f"{WORD}: money {ATT.X[ROW, m]:.2f}", INK),
            ("both senses at once", AMBER),
            ("same row in every sentence", MUTED),
        ], x, X.grid().get_top()[1])
        self.show(FadeIn(side), run_time=TIMING.normal)

    def beat_projections(self) -> None:
        self.clear_stage()
        self.heading("Three projections of the same X")
        cell = (0.86, 0.6)
        mats = VGroup()
        for k, (name, M) in enumerate((("queries", ATT.Q[0]), ("keys", ATT.K[0]),
                                       ("values", ATT.V[0]))):
            mat = LabelledMatrix(M, rows=TOKENS if k == 0 else (), cell=cell)
            letter = name[0].upper()
            title = rich(f"{letter} = X · W{sub(letter)}", TYPE.label, INK)
            role = text(name, TYPE.small, MUTED)
            head = VGroup(title, role).arrange(DOWN, buff=0.1).next_to(mat.grid(), UP, buff=0.25)
            mats.add(VGroup(mat, head))
        mats.arrange(RIGHT, buff=0.45, aligned_edge=DOWN).move_to([0.2, -0.45, 0])
        d = text(f"head 0: {ATT.X.shape[1]} numbers per token → {ATT.d_k} per query, key, value",
                 TYPE.small, MUTED)
        d.move_to([LAYOUT.left + d.width / 2, 2.05, 0])
        self.show(FadeIn(d), run_time=TIMING.fast)
        for group in mats:
            self.show(FadeIn(group, shift=RIGHT * 0.2), run_time=TIMING.normal)
        rows = VGroup(*[g[0].highlight_row(ROW) for g in mats])
        self.show(Create(rows), run_time=TIMING.normal)

    def beat_scores(self) -> None:
        self.clear_stage()
        self.heading(f"Score every pair: q·k / √d{sub('k')}")
        raw = LabelledMatrix(ATT.scores[0], rows=TOKENS, cols=TOKENS, heat=HEAT)
        raw.move_to([0, -0.45, 0]).align_to([LAYOUT.left + 0.9, 0, 0], LEFT)
        axes = VGroup(text("keys →", TYPE.small, MUTED).next_to(raw.col_labels, UP, buff=0.15),
                      text("queries ↓", TYPE.small, MUTED).next_to(raw.row_labels, UP, buff=0.25))
        axes[0].align_to(raw.grid(), LEFT)
        self.show(FadeIn(raw), FadeIn(axes), run_time=TIMING.normal)
        j = TOKENS.index(ATT.top_attended(WORD, 0))
        box = raw.highlight_cell(ROW, j)
        root = math.sqrt(ATT.d_k)
        x = raw.grid().get_right()[0] + 0.6
        side = self.note([
            (f"{WORD}'s query · {TOKENS[j]}'s key = {ATT.scores[0, ROW, j]:.2f}", INK),
            (f"÷ √{ATT.d_k} = {ATT.scores[0, ROW, j] / root:.2f}", INK),
            ("large dot products would", MUTED),
            ("saturate the softmax", MUTED),
        ], x, raw.grid().get_top()[1])
        self.show(Create(box), FadeIn(side[0]), run_time=TIMING.normal)
        scaled = LabelledMatrix(ATT.scaled[0], rows=TOKENS, cols=TOKENS, heat=HEAT)
        scaled.move_to(raw)
        self.show(FadeIn(side[1]), run_time=TIMING.normal)
        morph(self, raw, scaled, FadeIn(side[2:]))
        self.bring_to_front(box)
        self.wait(TIMING.hold)

    def beat_softmax(self) -> None:
        self.clear_stage()
        self.heading("Softmax: each row sums to 1")
        W = LabelledMatrix(ATT.weights[0], rows=TOKENS, cols=TOKENS, heat=HEAT, heat_range=(0, 1))
        W.move_to([0, -0.45, 0]).align_to([LAYOUT.left + 0.9, 0, 0], LEFT)
        sums = VectorCells(ATT.weights[0].sum(axis=1), cell=(0.95, 0.6), ink=GREEN)
        sums.next_to(W.grid(), RIGHT, buff=0.3)
        total = text("Σ row", TYPE.small, MUTED).next_to(sums, UP, buff=0.14)
        total.align_to(W.col_labels, DOWN)
        scores = LabelledMatrix(ATT.scaled[0], rows=TOKENS, cols=TOKENS, heat=HEAT).move_to(W)
        self.show(FadeIn(scores), run_time=TIMING.normal)
        morph(self, scores, W)
        self.wait(TIMING.hold)
        self.show(FadeIn(sums), FadeIn(total), run_time=TIMING.normal)
        j = TOKENS.index(ATT.top_attended(WORD, 0))
        self.show(Create(W.highlight_row(ROW)), Create(W.highlight_cell(ROW, j, GREEN)),
                  run_time=TIMING.normal)
        x = sums.get_right()[0] + 0.5
        side = self.note([
            (f"{WORD} → {TOKENS[j]}: {ATT.weights[0, ROW, j]:.2f}", GREEN),
            ("weights ≥ 0", INK),
            ("brighter = more attention", MUTED),
        ], x, W.grid().get_top()[1])
        self.show(FadeIn(side), run_time=TIMING.normal)

    def beat_weighted_sum(self) -> None:
        self.clear_stage()
        self.heading("Mix the values by the weights")
        w = VectorCells(ATT.weights[0, ROW], labels=TOKENS, heat=HEAT, heat_range=(0, 1))
        V = LabelledMatrix(ATT.V[0], cell=(0.86, 0.6))
        V.next_to(w.grid(), RIGHT, buff=0.2)
        mix = VGroup(w, V).move_to([0, -0.2, 0]).align_to([LAYOUT.left + 0.9, 0, 0], LEFT)
        heads = VGroup(text(f"weights of {WORD}", TYPE.small, MUTED).next_to(w.grid(), UP, 0.2),
                       text("× values V", TYPE.small, MUTED).next_to(V.grid(), UP, 0.2))
        heads[0].align_to(w.grid(), RIGHT)
        self.show(FadeIn(mix), FadeIn(heads), run_time=TIMING.normal)
        out = VectorCells(ATT.head_outputs[0, ROW], horizontal=True, cell=(0.86, 0.6), ink=AMBER)
        out.next_to(V.grid(), DOWN, buff=0.45)
        eq = text(f"{WORD}'s head output =", TYPE.small, MUTED).next_to(out.grid(), LEFT, 0.2)
        j = TOKENS.index(ATT.top_attended(WORD, 0))
        focus = VGroup(w.highlight_cell(j, 0, GREEN), V.highlight_row(j, GREEN))
        self.show(Create(focus), run_time=TIMING.fast)
        self.show(TransformFromCopy(V.grid(), out), FadeIn(eq), run_time=TIMING.normal)
        before, after = attn.sense_shift(ATT, WORD)
        wi, mi = attn.FEATURES.index("water"), attn.FEATURES.index("money")
        x = V.grid().get_right()[0] + 0.6
        side = self.note([
            (f"{WORD}, after adding back x:", MUTED),
            (f"water {ATT.X[ROW, wi]:.2f} → {ATT.output[ROW, wi]:.2f}", INK),
            (f"money {ATT.X[ROW, mi]:.2f} → {ATT.output[ROW, mi]:.2f}", INK),
            (f"water − money {before:.2f} → {after:.2f}", GREEN),
            ("a river bank", GREEN),
        ], x, V.grid().get_top()[1] + 0.3)
        self.show(FadeIn(side[:3]), run_time=TIMING.normal)
        self.show(FadeIn(side[3:]), run_time=TIMING.normal)

    def beat_causal_mask(self) -> None:
        self.clear_stage()
        self.heading("A decoder cannot look ahead")
        n = len(TOKENS)
        future = np.triu(np.ones((n, n), dtype=bool), k=1)
        W = LabelledMatrix(CAUSAL.weights[0], rows=TOKENS, cols=TOKENS, heat=HEAT,
                           heat_range=(0, 1), mask=future)
        W.move_to([0, -0.45, 0]).align_to([LAYOUT.left + 0.9, 0, 0], LEFT)
        open_ = LabelledMatrix(ATT.weights[0], rows=TOKENS, cols=TOKENS, heat=HEAT,
                               heat_range=(0, 1)).move_to(W)
        self.show(FadeIn(open_), run_time=TIMING.normal)
        morph(self, open_, W)
        self.wait(TIMING.hold)
        seen = [t for t, hidden in zip(TOKENS, future[ROW]) if not hidden]
        x = W.grid().get_right()[0] + 0.6
        side = self.note([
            ("later tokens: score −∞", MUTED),
            ("so their weight is 0", MUTED),
            (f"{WORD} sees: {', '.join(seen)}", AMBER),
            (f"{WORD} → {CAUSAL.top_attended(WORD, 0)}: {CAUSAL.weights[0, ROW].max():.2f}",
             GREEN),
        ], x, W.grid().get_top()[1])
        self.show(Create(W.highlight_row(ROW)), FadeIn(side), run_time=TIMING.normal)

    def beat_heads(self) -> None:
        self.clear_stage()
        self.heading("Heads ask different questions")
        groups = VGroup()
        for h, name in enumerate(("head 0 · sense", "head 1 · grammar")):
            W = LabelledMatrix(ATT.weights[h], rows=TOKENS, cols=TOKENS, heat=HEAT,
                               heat_range=(0, 1), cell=(0.88, 0.58))
            j = TOKENS.index(ATT.top_attended(WORD, h))
            top = text(f"{name}: {WORD} → {TOKENS[j]} {ATT.weights[h, ROW, j]:.2f}", TYPE.small,
                       VIOLET if h else BLUE)
            top.next_to(W, UP, buff=0.2)
            groups.add(VGroup(W, top, W.highlight_row(ROW), W.highlight_cell(ROW, j, GREEN)))
        groups.arrange(RIGHT, buff=0.7).move_to([0, -0.15, 0])
        for g in groups:
            self.show(FadeIn(g), run_time=TIMING.normal)
        h, _, dv = ATT.head_outputs.shape
        join = rich(f"side by side: {h} heads × {dv} = {ATT.concat.shape[1]} numbers per token, "
                    f"then × W{sub('O')}", TYPE.label, MUTED)
        join.next_to(groups, DOWN, buff=0.35)
        self.show(FadeIn(join), run_time=TIMING.normal)

    def beat_order(self) -> None:
        self.clear_stage()
        self.heading("Attention alone ignores order")
        params = attn.make_params()
        order = sorted(range(len(TOKENS)), key=lambda i: TOKENS[i])
        shuffled = tuple(TOKENS[i] for i in order)
        rows = VGroup()
        outputs = [attn.run(t, params).output[t.index(WORD)] for t in (TOKENS, shuffled)]
        for tokens, out in zip((TOKENS, shuffled), outputs):
            words = sentence(tokens)
            vec = VectorCells(out, horizontal=True,
                              cell=(0.86, 0.6), ink=AMBER)
            rows.add(VGroup(words, vec).arrange(DOWN, buff=0.3, aligned_edge=LEFT))
        rows.arrange(DOWN, buff=0.6, aligned_edge=LEFT).move_to([0, -0.2, 0])
        rows.align_to([LAYOUT.left, 0, 0], LEFT)
        self.show(FadeIn(rows[0]), run_time=TIMING.normal)
        self.show(FadeIn(rows[1]), run_time=TIMING.normal)
        verdict = "identical" if np.allclose(*outputs) else "different"
        same = text(f"{WORD}'s output: {verdict}", TYPE.label, GREEN)
        fix = text("→ add positional encodings", TYPE.label, INK)
        side = VGroup(same, fix).arrange(DOWN, aligned_edge=LEFT, buff=0.25)
        side.next_to(rows, RIGHT, buff=0.5)
        self.show(FadeIn(side), run_time=TIMING.normal)

