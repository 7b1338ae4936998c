"""Typeset text is laid out once and copied: every copy looks the same, and is its own object."""

from __future__ import annotations

import numpy as np
import pytest
from manim import BLUE, MarkupText, Text

from explainers.kit import text as kit_text
from explainers.kit.text import text, typeset
from explainers.kit.theme import FONT, RED, TYPE
from explainers.project import TEXT_CACHE_ENV


def same_look(a, b) -> bool:  # type: ignore[no-untyped-def]
    fa, fb = a.get_family(), b.get_family()
    return len(fa) == len(fb) and all(
        np.array_equal(x.points, y.points) and np.array_equal(x.fill_rgbas, y.fill_rgbas)
        for x, y in zip(fa, fb)
    )


@pytest.fixture
def fresh_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget what this process has typeset (the disk folder is the test's to choose)."""
    monkeypatch.setattr(kit_text, "_typeset", {})


def test_typeset_text_looks_like_manims_own_and_copies_are_independent(fresh_memory) -> None:
    plain = Text("term 3 · S1", font=FONT, color=RED, font_size=30)
    first = typeset(Text, "term 3 · S1", font=FONT, color=RED, font_size=30)
    second = typeset(Text, "term 3 · S1", font=FONT, color=RED, font_size=30)
    assert same_look(first, plain) and same_look(second, plain)
    assert first is not second
    first.shift([1, 0, 0]).set_color(BLUE)
    assert same_look(second, plain), "moving one copy moved another"
    assert not any(hasattr(p, "path_obj") for p in second.get_family()), "SVG paths still carried"


def test_options_and_class_are_part_of_the_key(fresh_memory) -> None:
    a = text("votes", TYPE.label)
    assert not same_look(a, text("votes", TYPE.heading))
    assert not same_look(a, text("votes", TYPE.label, mono=True))
    assert not same_look(a, text("vote", TYPE.label))
    markup = typeset(MarkupText, "<b>votes</b>", font=FONT, font_size=30)
    assert isinstance(markup, MarkupText)


def test_a_cache_folder_survives_the_process_and_a_damaged_entry_is_rebuilt(
    tmp_path, monkeypatch: pytest.MonkeyPatch, fresh_memory
) -> None:
    monkeypatch.setenv(TEXT_CACHE_ENV, str(tmp_path))
    built = text("leader S4", TYPE.label)
    files = list(tmp_path.glob("*.pickle"))
    assert len(files) == 1

    monkeypatch.setattr(kit_text, "_typeset", {})  # a new process: memory empty, folder kept
    monkeypatch.setattr(kit_text, "_slim", lambda m: pytest.fail("laid out again"))
    assert same_look(text("leader S4", TYPE.label), built)

    monkeypatch.undo()
    monkeypatch.setenv(TEXT_CACHE_ENV, str(tmp_path))
    monkeypatch.setattr(kit_text, "_typeset", {})
    files[0].write_bytes(b"not a pickle")
    assert same_look(text("leader S4", TYPE.label), built)
    assert files[0].read_bytes() != b"not a pickle", "damaged entry was not replaced"
