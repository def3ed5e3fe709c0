# Copyright (c) seavis_mm contributors. All rights reserved.
"""The one slicing of every source (docs/en/user_guides/dataset_prepare.md,
"The audio window of a frame"): timed input
frames and contiguous audio in, :class:`StreamSlice` objects at the model's
``fps`` out. Processed frame ``k`` is the input frame shown at ``k / fps``,
paired with the audio slice ``[k / fps, (k + 1) / fps)``. Files, frame
folders and live sources all feed a :class:`SliceAssembler`, so a live run
and a file run of the same content give the same slices."""
from collections import deque
from dataclasses import dataclass, field
from time import monotonic
from typing import Deque, Iterator, List, Optional, Tuple

import numpy as np

# Frame times are rationals turned to floats; this absorbs the rounding.
EPS = 1e-6


@dataclass
class StreamSlice:
    """One processed frame and its audio slice.

    Attributes:
        index (int): ``k``, the processed frame index (0-based).
        time (float): ``k / fps``, seconds from the start of the video.
        image (np.ndarray): the input frame shown at ``time``, BGR uint8.
        audio (np.ndarray): ``(n, channels)`` float32 samples at
            ``sample_rate`` that arrive with this frame: the slice
            ``[k / fps, (k + 1) / fps)``, both ends shifted later by the
            reader's ``audio_lookahead`` (the audio of consecutive slices is
            contiguous from time 0); shorter (or empty) where the audio
            ends.
        sample_rate (int): sample rate of ``audio``.
        frames (list[tuple[float, np.ndarray]]): every input frame shown in
            the slice, ``(time, BGR image)`` (empty unless asked for).
        audio_end (bool): The last slice: no audio follows its own.
        ready_at (float, optional): ``time.monotonic()`` when the slice
            was complete (set by live readers; the live clock measures its
            lag from it).
    """
    index: int
    time: float
    image: np.ndarray
    audio: np.ndarray
    sample_rate: int
    frames: List[Tuple[float, np.ndarray]] = field(default_factory=list)
    audio_end: bool = False
    ready_at: Optional[float] = None


class SliceAssembler:
    """Turns timed input frames and contiguous audio into slices at ``fps``.

    Input frames and audio arrive in any interleaving; a slice is emitted as
    soon as everything it needs has arrived (a frame at or after its end and
    audio up to its end), or at the end (``ready(final=True)``).
    """

    # seconds the video may run ahead of a stalled audio track before the
    # audio is taken to have ended
    max_audio_lag = 5.0
    # audio timestamps may differ from the running sample count by this
    # much (container time-base rounding) before it is a gap or an overlap
    audio_jitter = 0.01

    def __init__(self,
                 fps: float,
                 sample_rate: int,
                 channels: int,
                 keep_frames: bool,
                 expect_audio: bool = True,
                 audio_lookahead: float = 0.0,
                 video_gap: Optional[float] = None) -> None:
        if fps <= 0:
            raise ValueError(f'fps must be > 0, got {fps}')
        self.fps = float(fps)
        self.sample_rate = int(sample_rate)
        self.channels = int(channels)
        self.keep_frames = keep_frames
        self._expect_audio = expect_audio
        self.audio_lookahead = float(audio_lookahead)
        # (time, frame): av.VideoFrame or ndarray, converted only when used
        self._frames: Deque[Tuple[float, object]] = deque()
        self._current: Optional[Tuple[float, object]] = None
        self._audio: List[np.ndarray] = []
        self._audio_start = 0  # sample index (from time 0) of _audio[0][0]
        self._audio_end: Optional[int] = None  # samples received so far
        self._last_time = -np.inf
        self.index = 0
        # timestamp jumps, for the reader's report: video (from, to) in s
        # beyond ``video_gap`` s, audio (at s, jump s; < 0: an overlap)
        self.video_gap = video_gap
        self._frames_seen = False
        self.video_gaps: List[Tuple[float, float]] = []
        self.audio_gaps: List[Tuple[float, float]] = []

    @property
    def video_end(self) -> Optional[float]:
        """Time (s) of the last input frame received, None before one."""
        return self._last_time if self._frames_seen else None

    @property
    def audio_end(self) -> Optional[float]:
        """Seconds of audio received (from time 0), None before any."""
        return None if self._audio_end is None else \
            self._audio_end / self.sample_rate

    # -- input -------------------------------------------------------------
    def add_frame(self, time: float, frame) -> None:
        if time < self._last_time - EPS:
            # Decoders output in presentation order; keep it monotonic.
            time = self._last_time
        if self.video_gap is not None and self._frames_seen and \
                time - self._last_time > self.video_gap:
            self.video_gaps.append((self._last_time, time))
        self._frames_seen = True
        self._last_time = time
        self._frames.append((time, frame))

    def add_audio(self, samples: np.ndarray,
                  start_time: Optional[float] = None) -> None:
        """Append ``(n, channels)`` samples; the first chunk is placed at
        ``start_time`` (silence before it, samples before time 0 dropped),
        later chunks follow contiguously, unless their ``start_time`` is
        more than ``audio_jitter`` s off: a gap is filled with silence and
        an overlap dropped, so the audio stays on the video's clock."""
        samples = np.asarray(samples, dtype=np.float32)
        if self._audio_end is not None and start_time is not None:
            jump = int(round(start_time * self.sample_rate)) - \
                self._audio_end
            if abs(jump) > self.audio_jitter * self.sample_rate:
                self.audio_gaps.append(
                    (self._audio_end / self.sample_rate,
                     jump / self.sample_rate))
                if jump > 0:
                    self._audio.append(
                        np.zeros((jump, self.channels), np.float32))
                    self._audio_end += jump
                else:
                    samples = samples[-jump:]
        if self._audio_end is None:
            start = int(round((start_time or 0.0) * self.sample_rate))
            if start > self._audio_start:
                self._audio.append(
                    np.zeros((start - self._audio_start, self.channels),
                             np.float32))
            elif start < self._audio_start:
                samples = samples[self._audio_start - start:]
            self._audio_end = max(start, self._audio_start)
        self._audio.append(samples)
        self._audio_end += len(samples)

    # -- output ------------------------------------------------------------
    def _bounds(self, k: int) -> Tuple[float, float]:
        return k / self.fps, (k + 1) / self.fps

    def ready(self, final: bool = False) -> Iterator[StreamSlice]:
        """Slices whose inputs have all arrived (all remaining ones when
        ``final``)."""
        while True:
            t0, t1 = self._bounds(self.index)
            if final:
                if self._current is None and not self._frames:
                    return
                if t0 > self._last_time + EPS:
                    return
            else:
                if not self._frames or self._frames[-1][0] < t1 - EPS:
                    return
                s1 = int(round((t1 + self.audio_lookahead) *
                               self.sample_rate))
                audio_short = (self._audio_end is None
                               and self._expect_audio) or (
                                   self._audio_end is not None
                                   and self._audio_end < s1)
                # wait for the audio unless the video is far ahead (then the
                # audio track has ended before the video)
                if audio_short and \
                        self._frames[-1][0] < t1 + self.max_audio_lag:
                    return
            yield self._emit(t0, t1, final)

    def _emit(self, t0: float, t1: float, final: bool = False) -> StreamSlice:
        in_slice = []
        while self._frames and self._frames[0][0] < t1 - EPS:
            t, f = self._frames.popleft()
            in_slice.append([t, f])
        # the frame on screen at t0: the latest one that started by then
        shown = self._current
        for item in in_slice:
            if item[0] <= t0 + EPS or shown is None:
                shown = item
        if shown is None:  # the video starts after this slice ends
            first = self._frames[0]
            shown = [first[0], first[1]]
        shown[1] = to_bgr(shown[1])
        frames = []
        if self.keep_frames:
            for item in in_slice:
                item[1] = to_bgr(item[1])
            frames = [(t, f) for t, f in in_slice]
        if in_slice:
            self._current = in_slice[-1]
        elif self._current is None:
            self._current = shown
        # the last slice: nothing is fed after it
        last = final and (self.index + 1) / self.fps > self._last_time + EPS
        audio = self._take_audio(t1 + self.audio_lookahead)
        s = StreamSlice(
            ready_at=monotonic(),
            index=self.index,
            time=t0,
            image=shown[1],
            audio=audio,
            sample_rate=self.sample_rate,
            frames=frames,
            audio_end=last)
        self.index += 1
        return s

    def _take_audio(self, t_end: float) -> np.ndarray:
        """The samples that arrived since the last slice, up to ``t_end``."""
        if self._audio_end is None:
            return np.zeros((0, self.channels), np.float32)
        buf = np.concatenate(self._audio) if len(self._audio) > 1 else \
            self._audio[0]
        hi = min(max(int(round(t_end * self.sample_rate)) -
                     self._audio_start, 0), len(buf))
        out = np.ascontiguousarray(buf[:hi])
        self._audio = [buf[hi:]]
        self._audio_start += hi
        return out


def to_bgr(frame) -> np.ndarray:
    """A decoded frame (``av.VideoFrame``, an image path or an array) as a
    BGR uint8 array."""
    if isinstance(frame, np.ndarray):
        return frame
    if isinstance(frame, str):
        import mmcv
        img = mmcv.imread(frame, channel_order='bgr')
        if img is None:
            raise ValueError(f'could not read image {frame!r}')
        return img
    return frame.to_ndarray(format='bgr24')
