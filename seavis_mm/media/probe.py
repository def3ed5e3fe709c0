# Copyright (c) seavis_mm contributors. All rights reserved.
"""What a media input holds: :func:`probe_video` for files, and
:func:`describe_container` for any opened container (a live source is
described from the container that is then read, as it can not be opened
twice)."""
import os.path as osp
from dataclasses import dataclass
from fractions import Fraction
from typing import Optional

import av

from .errors import VideoReadError


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
    """What :func:`probe_video` finds in a file (or a live source)."""
    path: str
    width: int
    height: int
    rate: Fraction  # input frame rate
    duration: Optional[float]  # seconds, when the container says
    num_frames: Optional[int]
    audio: Optional[AudioStreamInfo]
    start_time: float = 0.0  # first video timestamp (s): time 0 of a stream


def layout_channels(layout) -> int:
    """Channels of an ``av`` audio layout (any PyAV version)."""
    # PyAV >= 13 has ``nb_channels``; older versions only list the channels.
    n = getattr(layout, 'nb_channels', None)
    return int(n) if n is not None else len(layout.channels)


def audio_stream_info(stream) -> AudioStreamInfo:
    """:class:`AudioStreamInfo` of an ``av`` audio stream."""
    ctx = stream.codec_context
    duration = float(stream.duration * stream.time_base) \
        if stream.duration is not None else None
    return AudioStreamInfo(
        codec=ctx.name,
        sample_rate=int(ctx.sample_rate),
        channels=layout_channels(ctx.layout),
        layout=ctx.layout.name,
        duration=duration)


def describe_container(container, name: str) -> VideoInfo:
    """:class:`VideoInfo` of an opened container's first video and audio
    streams.

    Raises:
        VideoReadError: it holds no video stream.
    """
    if not container.streams.video:
        found = [s.type for s in container.streams]
        raise VideoReadError(
            f'{name!r} has no video stream (streams found: '
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
    audio = audio_stream_info(container.streams.audio[0]) \
        if container.streams.audio else None
    return VideoInfo(
        path=name,
        width=vs.codec_context.width,
        height=vs.codec_context.height,
        rate=Fraction(rate),
        duration=duration,
        num_frames=vs.frames or None,
        audio=audio,
        start_time=float(vs.start_time * vs.time_base)
        if vs.start_time is not None else 0.0)


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
        return describe_container(container, path)
