"""The demo topic for tests: three short beats with motion, text and a colour change."""

from manim import RIGHT, Circle, Create, FadeIn, Square, Text, VGroup

from explainers.kit.theme import BLUE, FONT, GREEN, INK, TIMING, TYPE, VIOLET, font_size
from explainers.scene import ExplainerScene


class Demo(ExplainerScene):
    """Three beats: appear, move, count."""

    topic = "demo"
    length_rules = False

    def beat_intro(self) -> None:
        self.square = Square(side_length=2, color=BLUE, fill_opacity=0.3)
        self.play(Create(self.square), run_time=TIMING.normal)

    def beat_move(self) -> None:
        self.play(
            self.square.animate.shift(3 * RIGHT).set_color(GREEN),
            run_time=1.0,
        )
        label = Text("moved", font=FONT, color=INK, font_size=font_size(TYPE.label))
        label.next_to(self.square, direction=[0, -1, 0])
        self.play(FadeIn(label), run_time=TIMING.fast)

    def beat_outro(self) -> None:
        dots = VGroup(*[Circle(radius=0.3, color=VIOLET, fill_opacity=1) for _ in range(3)])
        dots.arrange(RIGHT, buff=0.5).shift(3 * [-1, 0, 0][0] * RIGHT)
        for dot in dots:
            self.play(FadeIn(dot), run_time=0.3)
