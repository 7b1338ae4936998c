"""Narration to caption cues (SRT, WebVTT) and chapters, each cue inside its beat, timed by reading length."""

from __future__ import annotations

import re
from dataclasses import dataclass

from explainers.storyboard import Beat, Storyboard

LINE_CHARS = 42
LINES_PER_CUE = 2
LEAD_IN = 0.25  # seconds after the beat starts before its first cue
GAP = 0.05  # between cues, so players never show two at once
MIN_CUE = 1.0


@dataclass(frozen=True)
class Cue:
    """One caption on screen: up to two lines, shown from start to end (seconds)."""

    start: float
    end: float
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def wrap(text: str, width: int = LINE_CHARS) -> list[str]:
    """Greedy word wrap; a word longer than a line is split."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        while len(word) > width:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:width])
            word = word[width:]
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= width:
            current += " " + word
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def _sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?…])\s+", " ".join(text.split()))
    return [p for p in parts if p]


def chunk(narration: str) -> list[tuple[str, ...]]:
    """Cue texts: sentences wrapped to 42-character lines, two lines a cue, sentences kept apart."""
    cues: list[tuple[str, ...]] = []
    for sentence in _sentences(narration):
        lines = wrap(sentence)
        for i in range(0, len(lines), LINES_PER_CUE):
            cues.append(tuple(lines[i : i + LINES_PER_CUE]))
    return _merge_short(cues)


def _merge_short(cues: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Join a one-line cue with a following one-line cue when both fit (fewer flashes)."""
    out: list[tuple[str, ...]] = []
    for cue in cues:
        if out and len(out[-1]) == 1 and len(cue) == 1 and len(out[-1][0]) + len(cue[0]) < 60:
            out[-1] = (out[-1][0], cue[0])
        else:
            out.append(cue)
    return out


def beat_cues(beat: Beat, start: float) -> list[Cue]:
    """Cues of one beat, sharing its time in proportion to their length, all inside the beat."""
    texts = chunk(beat.narration)
    if not texts:
        return []
    begin = start + min(LEAD_IN, beat.seconds * 0.05)
    end = start + beat.seconds - min(GAP * 2, beat.seconds * 0.02)
    span = end - begin
    weights = [sum(len(line) for line in t) + 10 for t in texts]
    total = sum(weights)
    cues, t = [], begin
    for text, weight in zip(texts, weights):
        length = span * weight / total
        cues.append(Cue(round(t, 3), round(t + length - GAP, 3), text))
        t += length
    return cues


def cues_for(board: Storyboard) -> list[Cue]:
    """Every cue of a storyboard, in order."""
    out: list[Cue] = []
    for beat, start in zip(board.beats, board.starts()):
        out.extend(beat_cues(beat, start))
    return out


def _stamp(seconds: float, sep: str) -> str:
    ms = round(seconds * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def to_srt(cues: list[Cue]) -> str:
    """SubRip text (YouTube upload, players)."""
    blocks = [
        f"{i}\n{_stamp(c.start, ',')} --> {_stamp(c.end, ',')}\n{c.text}\n"
        for i, c in enumerate(cues, start=1)
    ]
    return "\n".join(blocks)


def vtt_escape(text: str) -> str:
    """WebVTT cue text is markup: &, < and > must be escaped to show as text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(cues: list[Cue]) -> str:
    """WebVTT text (the web player's <track>)."""
    blocks = ["WEBVTT\n"]
    for c in cues:
        blocks.append(f"{_stamp(c.start, '.')} --> {_stamp(c.end, '.')}\n{vtt_escape(c.text)}\n")
    return "\n".join(blocks)


def shift(cues: list[Cue], offset: float) -> list[Cue]:
    """Cues moved in time (a beat's cues relative to its own clip)."""
    return [Cue(round(c.start + offset, 3), round(c.end + offset, 3), c.lines) for c in cues]


def timestamp(seconds: float) -> str:
    """m:ss (h:mm:ss past an hour), as YouTube chapters want."""
    s = int(seconds)
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def chapters(board: Storyboard) -> str:
    """`m:ss Title` per beat, the first at 0:00."""
    return "".join(f"{timestamp(t)} {b.title}\n" for b, t in zip(board.beats, board.starts()))
