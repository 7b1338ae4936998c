"""Attention scene: the narration's claims hold in the model, and every beat's still is clean."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from test_rate_limiting_scene import beat_layout_problems, typed_numbers

from explainers.project import Project
from explainers.sim import attention as attn

TOPIC = "attention"


@pytest.fixture(scope="module")
def board():
    return Project().load_storyboard(TOPIC)


def test_storyboard_is_a_90_to_110_second_explainer_of_6_to_8_beats(board) -> None:
    assert 90 <= board.duration <= 110
    assert 6 <= len(board.beats) <= 8
    assert board.title == "Attention Mechanism"


def test_narrated_claims_hold_in_the_model() -> None:
    a = attn.story()
    bank, river = a.tokens.index("bank"), a.tokens.index("river")
    w, m = attn.FEATURES.index("water"), attn.FEATURES.index("money")
    params = attn.make_params()
    # "Bank holds some water and some money", "the same in every sentence"
    assert a.X[bank, w] > 0.3 and a.X[bank, m] > 0.3
    other = attn.run(attn.contrast_sentence(), params)
    assert np.array_equal(other.X[other.tokens.index("bank")], a.X[bank])
    # "Bank's query matches river's key best"
    assert int(np.argmax(a.scores[0, bank])) == river
    # "more than half of its attention to river"
    assert a.top_attended("bank", 0) == "river" and a.weights[0, bank, river] > 0.5
    # "moves toward water: this is a river bank"
    before, after = attn.sense_shift(a)
    assert after > before
    # "Bank sees only the words before it, and itself"
    c = attn.story(causal=True)
    assert np.all(c.weights[0, bank, bank + 1:] == 0) and np.all(c.weights[0, bank, :bank + 1] > 0)
    # "one head picks the sense, the other follows grammar"
    assert a.top_attended("bank", 1) == "the"
    # "shuffle the words and bank's result is unchanged" (the scene's shuffle: sorted words)
    shuffled = tuple(sorted(a.tokens))
    s = attn.run(shuffled, params)
    assert np.allclose(s.output[shuffled.index("bank")], a.output[bank])


def test_every_beat_ends_on_a_clean_still(tmp_path: Path, board) -> None:
    found = beat_layout_problems(TOPIC, tmp_path)
    assert sorted(found) == sorted(f"{i + 1:02d}-{b.id}" for i, b in enumerate(board.beats))
    dirty = {k: v for k, v in found.items() if v}
    assert not dirty, dirty


def test_scene_types_no_number_the_model_computes() -> None:
    """Typed digits are head indices and softmax's definition (rows sum to 1, weights >= 0)."""
    allowed = {"head 0: {ATT.X.shape[1]} numbers per token → {ATT.d_k} per query, key, value",
               "Softmax: each row sums to 1", "weights ≥ 0", "so their weight is 0",
               "head 0 · sense", "head 1 · grammar"}
    assert set(typed_numbers(Project().scene_path(TOPIC))) <= allowed
