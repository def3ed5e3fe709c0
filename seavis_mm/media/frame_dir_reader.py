# Copyright (c) seavis_mm contributors. All rights reserved.
"""A folder of frames plus a wav file (the AVISeg layout) as a stream of
:class:`StreamSlice` objects."""
import glob
import os.path as osp
import warnings
from fractions import Fraction
from typing import Iterator, Optional

import numpy as np

from .errors import MissingAudioWarning, NoAudioStreamError
from .probe import AudioStreamInfo, VideoInfo
from .slicing import EPS, SliceAssembler, StreamSlice, to_bgr

IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp')


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
        h, w = to_bgr(self.files[0]).shape[:2]
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
        return int(np.floor(last * self.fps + EPS)) + 1

    def __iter__(self) -> Iterator[StreamSlice]:
        has_audio = len(self.audio) > 0
        asm = SliceAssembler(self.fps, self.sample_rate, self.channels,
                             self.keep_frames, has_audio,
                             self.audio_lookahead)
        if has_audio:
            asm.add_audio(self.audio, 0.0)
        for i, f in enumerate(self.files):
            asm.add_frame(i / self.input_fps, f)
            yield from asm.ready()
        yield from asm.ready(final=True)
