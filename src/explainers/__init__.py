"""Visual Explainers: storyboard + Manim scene -> per-beat clips, master, player."""
