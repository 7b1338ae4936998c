"""A replicated log drawn as a strip of cells (command and term), committed cells solid, others dashed."""

from __future__ import annotations

from collections.abc import Sequence

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Animation,
    DashedVMobject,
    MoveToTarget,
    RoundedRectangle,
    VGroup,
)

from explainers.kit.nodes import tint
from explainers.kit.text import text
from explainers.kit.theme import GREEN, INK, LINE, MUTED, TYPE

CELL_W, CELL_H, CELL_GAP = 1.0, 0.68, 0.12


class LogCell(VGroup):
    """One log entry: its command (mono) over its term; solid green when committed, dashed when not."""

    def __init__(self, index: int, term: int, command: str, committed: bool = False,
                 width: float = CELL_W, height: float = CELL_H) -> None:
        super().__init__()
        self.index, self.term, self.command = index, term, command
        self.box = RoundedRectangle(width=width, height=height, corner_radius=0.08,
                                    stroke_width=3.5)
        self.dashed = DashedVMobject(self.box.copy(), num_dashes=22)
        self.command_label = text(command, TYPE.small, INK, mono=True)
        self.term_label = text(f"t{term}", TYPE.small, MUTED, mono=True)
        inner = VGroup(self.command_label, self.term_label).arrange(DOWN, buff=0.05)
        inner.move_to(self.box)
        self.add(self.box, self.dashed, self.command_label, self.term_label)
        self.set_committed(committed)

    def set_committed(self, committed: bool) -> LogCell:
        """Solid green outline and tint when committed; dashed grey outline while not."""
        self.committed = committed
        if committed:
            self.box.set_stroke(GREEN, opacity=1).set_fill(tint(GREEN, 0.22), opacity=1)
            self.dashed.set_stroke(opacity=0)
        else:
            self.box.set_stroke(opacity=0).set_fill(tint(MUTED, 0.10), opacity=1)
            self.dashed.set_stroke(MUTED, width=3.5, opacity=1)
        return self


def empty_slot(width: float = CELL_W, height: float = CELL_H) -> RoundedRectangle:
    """Where an entry could go: a faint outline, so missing entries are visible as gaps."""
    return RoundedRectangle(width=width, height=height, corner_radius=0.08, stroke_width=2,
                            stroke_color=LINE, stroke_opacity=1, fill_opacity=0)


class LogStrip(VGroup):
    """A server's log: `slots` positions left to right, entries as LogCells, gaps as faint outlines.

    `entries` are (index, term, command) with 1-based indexes; `commit_index` marks the
    committed prefix. `show_index` puts the index above each slot.
    """

    def __init__(self, entries: Sequence[tuple[int, int, str]], slots: int,
                 commit_index: int = 0, show_index: bool = False) -> None:
        super().__init__()
        self.slots = VGroup(*[empty_slot() for _ in range(slots)]).arrange(RIGHT, buff=CELL_GAP)
        self.cells: dict[int, LogCell] = {}
        self.index_labels = VGroup()
        self.add(self.slots)
        if show_index:
            for k, slot in enumerate(self.slots, start=1):
                self.index_labels.add(text(str(k), TYPE.small, MUTED, mono=True)
                                      .next_to(slot, UP, buff=0.1))
            self.add(self.index_labels)
        for index, term, command in entries:
            self.add_cell(index, term, command, index <= commit_index)

    def slot(self, index: int) -> RoundedRectangle:
        """The outline at a 1-based index."""
        return self.slots[index - 1]

    def make_cell(self, index: int, term: int, command: str, committed: bool = False) -> LogCell:
        """A cell placed at `index`, not yet part of the strip (to animate it in)."""
        return LogCell(index, term, command, committed).move_to(self.slot(index))

    def add_cell(self, index: int, term: int, command: str, committed: bool = False) -> LogCell:
        """Put an entry at `index` at once."""
        cell = self.make_cell(index, term, command, committed)
        self.cells[index] = cell
        self.add(cell)
        return cell

    def take(self, cell: LogCell) -> LogCell:
        """Adopt a cell that was animated into place (e.g. carried by a message)."""
        self.cells[cell.index] = cell
        self.add(cell)
        return cell

    def commit_to(self, commit_index: int) -> list[Animation]:
        """Animations turning every cell up to `commit_index` committed."""
        anims: list[Animation] = []
        for i, cell in sorted(self.cells.items()):
            if i <= commit_index and not cell.committed:
                cell.generate_target()
                cell.target.set_committed(True)
                cell.committed = True
                anims.append(MoveToTarget(cell))
        return anims


class LogTable(VGroup):
    """Several servers' logs in rows, a name at the left of each, indexes over the columns."""

    def __init__(self, logs: dict[str, Sequence[tuple[int, int, str]]], slots: int,
                 commit_index: dict[str, int] | None = None, row_gap: float = 0.1) -> None:
        super().__init__()
        commit_index = commit_index or {}
        self.rows: dict[str, LogStrip] = {}
        self.names = VGroup()
        header = VGroup(*[text(str(k), TYPE.small, MUTED, mono=True) for k in range(1, slots + 1)])
        strips = VGroup()
        for name, entries in logs.items():
            strip = LogStrip(entries, slots, commit_index.get(name, 0))
            self.rows[name] = strip
            strips.add(strip)
        strips.arrange(DOWN, buff=row_gap, aligned_edge=LEFT)
        for name, strip in self.rows.items():
            self.names.add(text(name, TYPE.small, MUTED, mono=True, bold=True)
                           .next_to(strip, LEFT, buff=0.25))
        first = next(iter(self.rows.values()))
        for k, label in enumerate(header, start=1):
            label.next_to(first.slot(k), UP, buff=0.12)
        self.header = header
        self.index_word = text("index", TYPE.small, MUTED).next_to(header, LEFT, buff=0.25)
        self.index_word.align_to(self.names, RIGHT)
        self.add(self.header, self.index_word, self.names, strips)
