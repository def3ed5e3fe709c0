# Copyright (c) seavis_mm contributors. All rights reserved.
"""Reading videos with sound as a stream of model frames, and writing the
overlay video with the original audio (PyAV).

The model runs at its own ``fps`` (docs/en/user_guides/dataset_prepare.md,
"The audio window of a frame"): processed frame
``k`` is the input frame shown at time ``k / fps``, paired with the audio
slice ``[k / fps, (k + 1) / fps)``. :class:`VideoSliceReader` (a video file)
and :class:`FrameDirSliceReader` (a folder of frames + a wav file) both yield
:class:`StreamSlice` objects: the processed frame, its audio slice at the
file's own sample rate and channels, and every input frame of the slice (the
demo draws frame ``k``'s result on all of them, at the input frame rate).
Both read in one pass and hold at most about one slice of frames.

Damaged files (docs/en/reliability.md, "Streaming and media inputs"): a file
that can not be opened at all (empty, truncated before its index, not a
video) raises :class:`VideoReadError` naming it; packets that do not decode
(a corrupt or truncated file) are skipped, the previous frame held and the
missing audio silent, and reported once at the end of the stream
(:class:`CorruptMediaWarning`); timestamp gaps in the video (frame ``k`` is
the frame on screen at ``k / fps``, so the last frame is held) and in the
audio (filled with silence, so the audio stays in sync) are reported once
(:class:`TimestampGapWarning`).
"""
import glob
import os.path as osp
import warnings
from collections import deque
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Deque, Iterator, List, Optional, Tuple, Union

import av
import numpy as np

# Frame times are rationals turned to floats; this absorbs the rounding.
_EPS = 1e-6
# Audio codecs an .mp4 carries as they are (copied without re-encoding).
MP4_COPY_AUDIO_CODECS = ('aac', 'mp3')
IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp')


class NoAudioStreamError(ValueError):
    """The input has no audio (and silence was not allowed)."""


class MissingAudioWarning(UserWarning):
    """The input has no audio; the stream runs on silence."""


class VideoReadError(ValueError):
    """A video file that can not be read at all (empty, truncated before
    its index, corrupt, not a video)."""


class CorruptMediaWarning(UserWarning):
    """Packets of a file did not decode and were skipped, or the file ends
    before its container says (truncated)."""


class TimestampGapWarning(UserWarning):
    """The video or audio timestamps of a file jump (missing frames or
    audio); the last frame is held and the audio gap is silent."""


@dataclass
class AudioStreamInfo:
    """The input's audio: codec, sample rate, channels and duration (s)."""
    codec: str
    sample_rate: int
    channels: int
    layout: str
    duration: Optional[float] = None


@dataclass
class VideoInfo:
    """What :func:`probe_video` finds in a file."""
    path: str
    width: int
    height: int
    rate: Fraction  # input frame rate
    duration: Optional[float]  # seconds, when the container says
    num_frames: Optional[int]
    audio: Optional[AudioStreamInfo]
    start_time: float = 0.0  # first video timestamp (s): time 0 of a stream


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
    """
    index: int
    time: float
    image: np.ndarray
    audio: np.ndarray
    sample_rate: int
    frames: List[Tuple[float, np.ndarray]] = field(default_factory=list)
    audio_end: bool = False


def _layout_channels(layout) -> int:
    # PyAV >= 13 has ``nb_channels``; older versions only list the channels.
    n = getattr(layout, 'nb_channels', None)
    return int(n) if n is not None else len(layout.channels)


def probe_video(path: str) -> VideoInfo:
    """Describe a video file's first video and audio streams.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        VideoReadError: the file is empty, can not be opened (truncated
            before its index, corrupt, not a video) or has no video stream.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'video file not found: {path!r}')
    size = osp.getsize(path)
    if size == 0:
        raise VideoReadError(f'video file {path!r} is empty (0 bytes)')
    try:
        container = av.open(path)
    except av.FFmpegError as e:
        raise VideoReadError(
            f'could not open video file {path!r} ({size} bytes): it is '
            'truncated, corrupt or not a video FFmpeg reads '
            f'({type(e).__name__}: {e})') from e
    with container:
        if not container.streams.video:
            found = [s.type for s in container.streams]
            raise VideoReadError(
                f'{path!r} has no video stream (streams found: '
                f'{found or "none"}' +
                ('' if 'audio' in found else
                 '; truncated (an .mp4 cut short loses its index), corrupt '
                 'or not a video') + ')')
        vs = container.streams.video[0]
        rate = vs.average_rate or vs.guessed_rate or Fraction(25)
        duration = None
        if vs.duration is not None:
            duration = float(vs.duration * vs.time_base)
        elif container.duration is not None:
            duration = container.duration / av.time_base
        audio = None
        if container.streams.audio:
            a = container.streams.audio[0]
            ctx = a.codec_context
            a_dur = float(a.duration * a.time_base) \
                if a.duration is not None else None
            audio = AudioStreamInfo(
                codec=ctx.name,
                sample_rate=int(ctx.sample_rate),
                channels=_layout_channels(ctx.layout),
                layout=ctx.layout.name,
                duration=a_dur)
        return VideoInfo(
            path=path,
            width=vs.codec_context.width,
            height=vs.codec_context.height,
            rate=Fraction(rate),
            duration=duration,
            num_frames=vs.frames or None,
            audio=audio,
            start_time=float(vs.start_time * vs.time_base)
            if vs.start_time is not None else 0.0)


class _SliceAssembler:
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

    # -- input -------------------------------------------------------------
    def add_frame(self, time: float, frame) -> None:
        if time < self._last_time - _EPS:
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
                if t0 > self._last_time + _EPS:
                    return
            else:
                if not self._frames or self._frames[-1][0] < t1 - _EPS:
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
        while self._frames and self._frames[0][0] < t1 - _EPS:
            t, f = self._frames.popleft()
            in_slice.append([t, f])
        # the frame on screen at t0: the latest one that started by then
        shown = self._current
        for item in in_slice:
            if item[0] <= t0 + _EPS or shown is None:
                shown = item
        if shown is None:  # the video starts after this slice ends
            first = self._frames[0]
            shown = [first[0], first[1]]
        shown[1] = _to_bgr(shown[1])
        frames = []
        if self.keep_frames:
            for item in in_slice:
                item[1] = _to_bgr(item[1])
            frames = [(t, f) for t, f in in_slice]
        if in_slice:
            self._current = in_slice[-1]
        elif self._current is None:
            self._current = shown
        audio = self._take_audio(t1 + self.audio_lookahead)
        s = StreamSlice(
            index=self.index,
            time=t0,
            image=shown[1],
            audio=audio,
            sample_rate=self.sample_rate,
            frames=frames,
            # the last slice: nothing is fed after it
            audio_end=final and
            (self.index + 1) / self.fps > self._last_time + _EPS)
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


def _to_bgr(frame) -> np.ndarray:
    if isinstance(frame, np.ndarray):
        return frame
    if isinstance(frame, str):
        import mmcv
        img = mmcv.imread(frame, channel_order='bgr')
        if img is None:
            raise ValueError(f'could not read image {frame!r}')
        return img
    return frame.to_ndarray(format='bgr24')


class VideoSliceReader:
    """Iterate a video file with its audio track as :class:`StreamSlice`
    objects at ``fps``.

    Times are taken from the streams' timestamps, counted from the first
    video timestamp; the audio is decoded to float32 at the file's own
    sample rate and channels (the inferencer resamples and downmixes).

    Args:
        path (str): Video file (anything FFmpeg reads: mp4, mkv, webm...).
        fps (float): Processed frames per second (the model's rate).
        allow_silent (bool): A file without audio runs on silence with a
            :class:`MissingAudioWarning` instead of raising
            :class:`NoAudioStreamError`. Defaults to False.
        keep_frames (bool): Fill :attr:`StreamSlice.frames` with every input
            frame of the slice (for drawing). Defaults to False.
        audio_lookahead (float): Seconds of the following audio delivered
            with each slice (see :attr:`StreamSlice.audio`): a resampler
            holds back a few ms of output, so a little lookahead lets the
            16 kHz stream reach the slice end exactly. Defaults to 0.

    Damaged input: packets that do not decode are skipped (the previous
    frame is held, the audio there is silent) and timestamp gaps are
    bridged; both are reported once per pass, at its end, with a
    :class:`CorruptMediaWarning` / :class:`TimestampGapWarning`, and
    counted in :attr:`report`.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        VideoReadError: the file can not be opened or holds no video
            stream (when constructed), or not one of its video frames
            decodes (when iterated).
        NoAudioStreamError: the file has no audio stream and
            ``allow_silent`` is False.
    """

    def __init__(self,
                 path: str,
                 fps: float,
                 allow_silent: bool = False,
                 keep_frames: bool = False,
                 audio_lookahead: float = 0.0) -> None:
        self.path = path
        self.fps = float(fps)
        self.keep_frames = keep_frames
        self.audio_lookahead = audio_lookahead
        self.info = probe_video(path)
        self.report: dict = {}
        if self.info.audio is None:
            if not allow_silent:
                raise NoAudioStreamError(
                    f'{path!r} has no audio stream: SeaVIS segments the '
                    'sounding objects and needs the sound. Pass '
                    '--allow-silent (allow_silent=True) to run on silence.')
            warnings.warn(
                f'{path!r} has no audio stream; running on silence, so a '
                'sound-aware model will output (almost) nothing.',
                MissingAudioWarning)

    @property
    def sample_rate(self) -> int:
        return self.info.audio.sample_rate if self.info.audio else 16000

    @property
    def channels(self) -> int:
        return self.info.audio.channels if self.info.audio else 1

    def __len__(self) -> int:
        """Number of slices, estimated from the container's duration."""
        if self.info.duration is None:
            return 0
        last = self.info.duration - 1.0 / float(self.info.rate)
        return int(np.floor(max(last, 0.0) * self.fps + _EPS)) + 1

    def __iter__(self) -> Iterator[StreamSlice]:
        rate = float(self.info.rate)
        # a jump that leaves a processed frame without a new input frame
        asm = _SliceAssembler(
            self.fps, self.sample_rate, self.channels, self.keep_frames,
            self.info.audio is not None, self.audio_lookahead,
            video_gap=max(2.0 / rate, 1.0 / self.fps) + _EPS)
        bad = dict(video=0, audio=0)
        self.report = dict(corrupt_packets=bad, first_corrupt_time=None,
                           read_error=None, video_gaps=asm.video_gaps,
                           audio_gaps=asm.audio_gaps, video_end=None,
                           audio_end=None)
        with av.open(self.path) as container:
            vs = container.streams.video[0]
            vs.thread_type = 'AUTO'
            streams = [vs]
            astream = None
            resampler = None
            if self.info.audio is not None:
                astream = container.streams.audio[0]
                streams.append(astream)
                # decode any sample format to planar float, same rate/layout
                resampler = av.AudioResampler(
                    format='fltp',
                    layout=astream.codec_context.layout,
                    rate=self.sample_rate)
            origin = self.info.start_time
            num_video = 0
            packets = container.demux(streams)
            while True:
                try:
                    packet = next(packets)
                except StopIteration:
                    break
                except av.FFmpegError as e:  # the container itself breaks
                    self.report['read_error'] = f'{type(e).__name__}: {e}'
                    break
                kind = packet.stream.type
                try:
                    frames = packet.decode()
                except av.FFmpegError:  # a corrupt or cut packet: skip it
                    bad[kind] += 1
                    if self.report['first_corrupt_time'] is None and \
                            packet.pts is not None:
                        self.report['first_corrupt_time'] = float(
                            packet.pts * packet.time_base) - origin
                    continue
                if kind == 'video':
                    for frame in frames:
                        t = frame.time
                        if t is None:  # no timestamps: assume a fixed rate
                            t = origin + num_video / rate
                        num_video += 1
                        asm.add_frame(t - origin, frame)
                else:
                    for frame in frames:
                        t = frame.time
                        for f in self._resample(resampler, frame):
                            asm.add_audio(f.to_ndarray().T,
                                          (t if t is not None else 0.0) -
                                          origin)
                            t = None
                yield from asm.ready()
            if resampler is not None:
                for f in resampler.resample(None):
                    asm.add_audio(f.to_ndarray().T)
            if num_video == 0:
                raise VideoReadError(
                    f'{self.path!r}: not one video frame could be decoded '
                    f'({bad["video"]} corrupt video packets'
                    + (f', {self.report["read_error"]}'
                       if self.report['read_error'] else '') + ')')
            self.report['video_end'] = asm._last_time
            if asm._audio_end is not None:
                self.report['audio_end'] = asm._audio_end / self.sample_rate
            yield from asm.ready(final=True)
        self._warn_damage()

    def _resample(self, resampler, frame) -> list:
        try:
            return resampler.resample(frame)
        except (ValueError, av.FFmpegError) as e:
            raise VideoReadError(
                f'{self.path!r}: the audio format changes at '
                f'{frame.time} s ({frame.sample_rate} Hz, '
                f'{frame.layout.name}; the stream started at '
                f'{self.sample_rate} Hz): not supported ({e})') from e

    def _warn_damage(self) -> None:
        """One warning per kind of damage found in the pass just done."""
        r = self.report
        bad = r['corrupt_packets']
        problems = []
        if bad['video'] or bad['audio']:
            problems.append(
                f'{bad["video"]} video and {bad["audio"]} audio packets '
                'could not be decoded and were skipped (first at '
                f'{r["first_corrupt_time"] or 0.0:.2f} s)')
        if r['read_error']:
            problems.append(f'reading stopped early: {r["read_error"]}')
        duration = self.info.duration
        rate = float(self.info.rate)
        if duration is not None and r['video_end'] is not None and \
                r['video_end'] + 2.0 / rate < duration:
            problems.append(
                f'the video ends at {r["video_end"]:.2f} s but the container'
                f' says {duration:.2f} s (truncated file?)')
        if problems:
            warnings.warn(
                f'{self.path!r} is damaged: ' + '; '.join(problems) +
                '. The previous frame was held where frames are missing and '
                'missing audio is silence.', CorruptMediaWarning)
        gaps = []
        if r['video_gaps']:
            t0, t1 = max(r['video_gaps'], key=lambda g: g[1] - g[0])
            gaps.append(
                f'{len(r["video_gaps"])} jumps in the video timestamps '
                f'(largest {t0:.2f} s -> {t1:.2f} s): the frame before a '
                'jump is used for the processed frames inside it')
        if r['audio_gaps']:
            filled = sum(j for _, j in r['audio_gaps'] if j > 0)
            gaps.append(
                f'{len(r["audio_gaps"])} jumps in the audio timestamps '
                f'(first at {r["audio_gaps"][0][0]:.2f} s; {filled:.2f} s '
                'filled with silence, overlaps dropped)')
        if gaps:
            warnings.warn(f'{self.path!r}: ' + '; '.join(gaps),
                          TimestampGapWarning)
        if self.info.audio is not None and r['video_end'] is not None:
            a_end = r['audio_end'] or 0.0
            if a_end < r['video_end'] - 1.0:
                warnings.warn(
                    f'{self.path!r}: the audio ends at {a_end:.2f} s but the '
                    f'video runs to {r["video_end"]:.2f} s; the rest ran on '
                    'silence', MissingAudioWarning)


class FrameDirSliceReader:
    """Iterate a folder of frames plus a wav file as :class:`StreamSlice`
    objects (the AVISeg layout: ``JPEGImages/<video>/`` and
    ``WAVAudios/<video>.wav``).

    Args:
        frame_dir (str): Folder of images, sorted by file name.
        audio_path (str, optional): The audio file (wav/flac/ogg).
        fps (float): Processed frames per second.
        input_fps (float, optional): Rate of the frames in the folder.
            Defaults to ``fps`` (AVISeg frames are at the model's 1 fps).
        allow_silent (bool): Run on silence when ``audio_path`` is None.
        keep_frames (bool): See :class:`VideoSliceReader`.
        audio_lookahead (float): See :class:`VideoSliceReader`.
    """

    def __init__(self,
                 frame_dir: str,
                 audio_path: Optional[str],
                 fps: float,
                 input_fps: Optional[float] = None,
                 allow_silent: bool = False,
                 keep_frames: bool = False,
                 audio_lookahead: float = 0.0) -> None:
        import soundfile as sf
        if not osp.isdir(frame_dir):
            raise FileNotFoundError(f'frame folder not found: {frame_dir!r}')
        self.files = sorted(
            f for f in glob.glob(osp.join(frame_dir, '*'))
            if f.lower().endswith(IMAGE_EXTENSIONS))
        if not self.files:
            raise ValueError(f'{frame_dir!r} holds no images '
                             f'(expected {", ".join(IMAGE_EXTENSIONS)})')
        self.path = frame_dir
        self.fps = float(fps)
        self.input_fps = float(input_fps or fps)
        self.keep_frames = keep_frames
        self.audio_lookahead = audio_lookahead
        if audio_path is None:
            if not allow_silent:
                raise NoAudioStreamError(
                    f'frame folder {frame_dir!r} was given without an audio '
                    'file: pass --audio WAV, or --allow-silent to run on '
                    'silence.')
            warnings.warn(f'no audio for {frame_dir!r}; running on silence',
                          MissingAudioWarning)
            self.audio = np.zeros((0, 1), np.float32)
            self.sample_rate = 16000
        else:
            if not osp.isfile(audio_path):
                raise FileNotFoundError(
                    f'audio file not found: {audio_path!r}')
            try:
                self.audio, self.sample_rate = sf.read(
                    audio_path, dtype='float32', always_2d=True)
            except Exception as e:  # libsndfile raises its own types
                raise ValueError(
                    f'audio file {audio_path!r} could not be decoded '
                    f'({type(e).__name__}: {e}); expected a wav/flac/ogg '
                    'file') from e
            if len(self.audio) == 0:
                if not allow_silent:
                    raise NoAudioStreamError(
                        f'audio file {audio_path!r} holds no samples; pass '
                        '--allow-silent to run on silence')
                warnings.warn(f'audio file {audio_path!r} holds no samples;'
                              ' running on silence', MissingAudioWarning)
        self.audio_path = audio_path
        self.channels = self.audio.shape[1]
        h, w = _to_bgr(self.files[0]).shape[:2]
        num = len(self.files)
        self.info = VideoInfo(
            path=frame_dir,
            width=w,
            height=h,
            rate=Fraction(self.input_fps).limit_denominator(1001),
            duration=num / self.input_fps,
            num_frames=num,
            audio=None if audio_path is None else AudioStreamInfo(
                codec='pcm', sample_rate=int(self.sample_rate),
                channels=self.channels,
                layout='mono' if self.channels == 1 else 'stereo',
                duration=len(self.audio) / self.sample_rate))

    def __len__(self) -> int:
        last = (len(self.files) - 1) / self.input_fps
        return int(np.floor(last * self.fps + _EPS)) + 1

    def __iter__(self) -> Iterator[StreamSlice]:
        has_audio = len(self.audio) > 0
        asm = _SliceAssembler(self.fps, self.sample_rate, self.channels,
                              self.keep_frames, has_audio,
                              self.audio_lookahead)
        if has_audio:
            asm.add_audio(self.audio, 0.0)
        for i, f in enumerate(self.files):
            asm.add_frame(i / self.input_fps, f)
            yield from asm.ready()
        yield from asm.ready(final=True)


def open_slice_reader(source: str,
                      fps: float,
                      audio_path: Optional[str] = None,
                      input_fps: Optional[float] = None,
                      allow_silent: bool = False,
                      keep_frames: bool = False,
                      audio_lookahead: float = 0.0
                      ) -> Union[VideoSliceReader, FrameDirSliceReader]:
    """A reader for a video file, or a frame folder (+ ``audio_path``)."""
    if osp.isdir(source):
        return FrameDirSliceReader(source, audio_path, fps, input_fps,
                                   allow_silent, keep_frames,
                                   audio_lookahead)
    if audio_path is not None:
        raise ValueError(
            f'--audio is for frame folders; {source!r} is a file, whose own '
            'audio track is used')
    return VideoSliceReader(source, fps, allow_silent, keep_frames,
                            audio_lookahead)


def _pick_video_codec() -> str:
    for name in ('libx264', 'libopenh264', 'mpeg4'):
        if name in av.codecs_available:
            try:
                av.codec.Codec(name, 'w')
                return name
            except Exception:  # not built with an encoder of that name
                continue
    raise RuntimeError('PyAV has no H.264 or MPEG-4 encoder')


class AVWriter:
    """Write BGR frames to an .mp4 at a fixed frame rate, with audio.

    Audio comes one of two ways: ``copy_audio_from`` (a media file) copies
    that file's first audio stream packet by packet, unchanged, when its
    codec fits an .mp4 (AAC, MP3), interleaved with the video as frames are
    written; otherwise the caller passes decoded samples to
    :meth:`write_audio` and they are encoded to AAC.

    Args:
        path (str): Output file (.mp4).
        width (int): Frame width. Odd sizes are padded by one pixel.
        height (int): Frame height.
        rate (Fraction | float): Frame rate.
        copy_audio_from (str, optional): Media file whose audio is copied.
        audio_rate (int, optional): Sample rate of :meth:`write_audio`
            samples (AAC encoding). Defaults to None (no encoded audio).
        audio_channels (int): Channels of :meth:`write_audio` samples.
        audio_time_offset (float): Seconds subtracted from copied audio
            timestamps (the input's first video timestamp).
    """

    def __init__(self,
                 path: str,
                 width: int,
                 height: int,
                 rate: Union[Fraction, float],
                 copy_audio_from: Optional[str] = None,
                 audio_rate: Optional[int] = None,
                 audio_channels: int = 1,
                 audio_time_offset: float = 0.0) -> None:
        self.path = path
        self.width, self.height = int(width), int(height)
        self.rate = Fraction(rate).limit_denominator(1001)
        self.container = av.open(path, mode='w')
        self.vstream = self.container.add_stream(
            _pick_video_codec(), rate=self.rate)
        self.vstream.width = self.width + self.width % 2
        self.vstream.height = self.height + self.height % 2
        self.vstream.pix_fmt = 'yuv420p'
        self.num_frames = 0
        self._src = None
        self._astream = None
        self._arate = None
        self._apts = 0
        if copy_audio_from is not None:
            self._open_copy(copy_audio_from, audio_time_offset)
        elif audio_rate is not None:
            self._arate = int(audio_rate)
            self._astream = self.container.add_stream(
                'aac', rate=self._arate)
            self._alayout = 'mono' if audio_channels == 1 else 'stereo'
            if audio_channels > 2:
                raise ValueError('AVWriter encodes mono or stereo audio; got '
                                 f'{audio_channels} channels')
            self._astream.layout = self._alayout

    @property
    def encodes_audio(self) -> bool:
        """Whether audio is expected through :meth:`write_audio`."""
        return self._arate is not None

    def _open_copy(self, src_path: str, offset: float) -> None:
        self._src = av.open(src_path)
        if not self._src.streams.audio:
            raise NoAudioStreamError(f'{src_path!r} has no audio to copy')
        in_a = self._src.streams.audio[0]
        if in_a.codec_context.name not in MP4_COPY_AUDIO_CODECS:
            raise ValueError(
                f'audio codec {in_a.codec_context.name!r} of {src_path!r} '
                'can not be copied into an .mp4; decode it and use '
                'write_audio() (AAC) instead')
        add_tpl = getattr(self.container, 'add_stream_from_template', None)
        self._astream = add_tpl(in_a) if add_tpl is not None else \
            self.container.add_stream(template=in_a)
        self._src_packets = self._src.demux(in_a)
        self._offset_pts = int(round(offset / in_a.time_base)) \
            if offset else 0
        self._pending_packet = None

    def _copy_audio_until(self, t: Optional[float]) -> None:
        """Mux the copied audio packets up to time ``t`` (None: all)."""
        if self._src is None:
            return
        while True:
            pkt = self._pending_packet
            if pkt is None:
                try:
                    pkt = next(self._src_packets)
                except StopIteration:
                    self._src.close()
                    self._src = None
                    return
                if pkt.dts is None:  # demuxer's flush packet
                    continue
            if t is not None and pkt.pts is not None and \
                    float((pkt.pts - self._offset_pts) * pkt.time_base) > t:
                self._pending_packet = pkt
                return
            self._pending_packet = None
            if self._offset_pts:
                pkt.pts -= self._offset_pts
                pkt.dts -= self._offset_pts
            pkt.stream = self._astream
            self.container.mux(pkt)

    def write_frame(self, image: np.ndarray) -> None:
        """Append one BGR uint8 frame (``height x width x 3``)."""
        if image.shape[:2] != (self.height, self.width):
            raise ValueError(
                f'AVWriter({self.path!r}): frame is {image.shape[:2]} but '
                f'the video is {(self.height, self.width)}')
        if self.width % 2 or self.height % 2:
            image = np.pad(
                image, ((0, self.height % 2), (0, self.width % 2), (0, 0)),
                mode='edge')
        frame = av.VideoFrame.from_ndarray(
            np.ascontiguousarray(image), format='bgr24')
        frame.pts = self.num_frames
        frame.time_base = Fraction(1) / self.rate
        for pkt in self.vstream.encode(frame):
            self.container.mux(pkt)
        self.num_frames += 1
        # keep the copied audio about one second ahead of the video
        self._copy_audio_until(self.num_frames / float(self.rate) + 1.0)

    def write_audio(self, samples: np.ndarray) -> None:
        """Append ``(n, channels)`` float32 samples (AAC-encoded)."""
        if self._arate is None:
            raise RuntimeError('AVWriter was opened without audio_rate')
        samples = np.asarray(samples, dtype=np.float32)
        if samples.ndim == 1:
            samples = samples[:, None]
        if len(samples) == 0:
            return
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(samples.T), format='fltp',
            layout=self._alayout)
        frame.sample_rate = self._arate
        frame.pts = self._apts
        frame.time_base = Fraction(1, self._arate)
        self._apts += len(samples)
        for pkt in self._astream.encode(frame):
            self.container.mux(pkt)

    def close(self) -> None:
        """Flush the encoders and finish the file."""
        for pkt in self.vstream.encode(None):
            self.container.mux(pkt)
        self._copy_audio_until(None)
        if self._arate is not None:
            for pkt in self._astream.encode(None):
                self.container.mux(pkt)
        self.container.close()

    def __enter__(self) -> 'AVWriter':
        return self

    def __exit__(self, *exc) -> None:
        self.close()
