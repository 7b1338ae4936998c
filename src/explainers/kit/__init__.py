"""Shared drawing for every topic, so all twenty look like one series."""

from explainers.kit.theme import LAYOUT, TIMING, TYPE, font_size

__all__ = ["LAYOUT", "TIMING", "TYPE", "font_size"]
