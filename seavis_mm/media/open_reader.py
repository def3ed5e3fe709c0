# Copyright (c) seavis_mm contributors. All rights reserved.
"""One entry point for every source: a file, a frame folder, a URL, a
device or a pipe."""
import os.path as osp
from typing import Dict, Optional, Union

from .frame_dir_reader import FrameDirSliceReader
from .live_reader import LiveSliceReader
from .sources import MediaSource, parse_source
from .video_reader import VideoSliceReader

SliceReader = Union[VideoSliceReader, FrameDirSliceReader, LiveSliceReader]


def open_slice_reader(source: Union[str, MediaSource],
                      fps: float,
                      audio_path: Optional[str] = None,
                      input_fps: Optional[float] = None,
                      allow_silent: bool = False,
                      keep_frames: bool = False,
                      audio_lookahead: float = 0.0,
                      live_options: Optional[Dict] = None) -> SliceReader:
    """A reader for a video file, a frame folder (+ ``audio_path``) or a
    live source (:class:`~.sources.MediaSource`, or a URL / ``-`` string).

    Args:
        live_options (dict, optional): Keyword arguments of
            :class:`LiveSliceReader` (``open_timeout``, ``timeout``,
            ``reconnect``) for a live source.
    """
    if isinstance(source, str) and osp.isdir(source):
        return FrameDirSliceReader(source, audio_path, fps, input_fps,
                                   allow_silent, keep_frames,
                                   audio_lookahead)
    if audio_path is not None:
        name = source if isinstance(source, str) else source.name
        raise ValueError(
            f'--audio is for frame folders; {name!r} is not one: its own '
            'audio track is used')
    if isinstance(source, str):
        source = parse_source(source)
    if source.live:
        return LiveSliceReader(source, fps, allow_silent, keep_frames,
                               audio_lookahead, **(live_options or {}))
    return VideoSliceReader(source.url, fps, allow_silent, keep_frames,
                            audio_lookahead)
