"""Shared drawing for every topic, so all twenty look like one series."""

from importlib import import_module

from explainers.kit.theme import LAYOUT, TIMING, TYPE, font_size

# Drawing components load lazily, so `from explainers.kit import theme` stays free of Manim.
_LAZY = {
    "LevelGauge": "charts", "RequestTicks": "charts", "TimeAxis": "charts",
    "WindowBracket": "charts", "replay": "charts",
    "LabelledMatrix": "matrix", "VectorCells": "matrix",
}

# The Raft kit (servers, messages, logs, timelines, counters, callouts), also lazy.
_RAFT_KIT = {
    "nodes": ("ServerNode", "TimerBadge", "edge", "node_ring", "timer_sweep", "crown", "cross",
              "ROLE_COLOR"),
    "messages": ("Message", "Verdict", "send", "hop", "travel_time", "check"),
    "log": ("LogCell", "LogStrip", "LogTable"),
    "timeline": ("Timeline",),
    "gauges": ("Tally", "CountdownBars"),
    "callout": ("Callout", "Legend"),
    "text": ("text", "px_of"),
    "stage": ("ring_positions", "clamp_to_stage", "layout_problems"),
}
_LAZY.update({name: module for module, names in _RAFT_KIT.items() for name in names})

__all__ = ["LAYOUT", "TIMING", "TYPE", "font_size"]
__all__ += [n for names in _RAFT_KIT.values() for n in names]
__all__ += ["LabelledMatrix", "LevelGauge", "RequestTicks", "TimeAxis", "VectorCells",
            "WindowBracket", "replay"]


def __getattr__(name: str) -> object:
    if name in _LAZY:
        return getattr(import_module(f"explainers.kit.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'explainers.kit' has no attribute {name!r}")
