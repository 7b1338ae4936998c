"""Cheaper holds: a still frame repeated N times is converted to YUV once, not N times.

Manim's segment encoder converts RGBA to the output pixel format for every repeated frame of a
`wait()`; at 1080p that conversion (~9 ms) costs more than x264 encoding the unchanged frame. Beats
end in long holds, so this matters (BENCHMARKS.md).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import av
from manim.scene.scene_file_writer import SceneFileWriter
from manim.scene.video_segment_encoder import VideoSegmentEncoder


class HoldEncoder(VideoSegmentEncoder):
    """Segment encoder that converts a repeated frame once and re-sends it with new timestamps."""

    def write_frame(self, pixels: Any, *, repeat: int = 1) -> None:
        if repeat == 1:
            super().write_frame(pixels, repeat=1)
            return
        self._validate_frame(pixels, repeat)
        time_base = Fraction(self.spec.frame_rate.denominator, self.spec.frame_rate.numerator)
        try:
            frame = av.VideoFrame.from_ndarray(pixels, format="rgba").reformat(
                format=self.spec.pixel_format
            )
            for _ in range(repeat):
                frame.pts = self._next_pts
                frame.time_base = time_base
                self._next_pts += 1
                for packet in self._stream.encode(frame):
                    self._container.mux(packet)
        except BaseException as error:
            raise self._operation_error("encode", error) from error


class HoldFileWriter(SceneFileWriter):
    """Scene file writer whose segments use the HoldEncoder.

    With sections saved (render workers), only the per-section clips are used: the whole-scene
    movie Manim also joins is not written.
    """

    def combine_to_movie(self) -> None:
        if not self.output_spec.save_sections:
            super().combine_to_movie()

    def _create_segment_encoder(self, target: Path) -> VideoSegmentEncoder:
        if self.video_encoder is None:
            raise RuntimeError("Video segment encoding requires resolved settings.")
        return HoldEncoder(target=target, spec=self.video_encoder)
