"""Pure, tested models whose states the scenes draw (no Manim here)."""
