# Copyright (c) seavis_mm contributors. All rights reserved.
"""The media layer: sources in, slices at the model's rate, overlays out.

* :mod:`.sources` - what a source string names (file, URL, device, pipe);
* :mod:`.probe` - what a file or an opened source holds;
* :mod:`.slicing` - the one slicing every source goes through;
* :mod:`.video_reader`, :mod:`.frame_dir_reader`, :mod:`.live_reader` -
  the readers; :func:`open_slice_reader` picks one;
* :mod:`.live_clock` - the model's rate on a live stream (drops frames
  when the model is slower than real time, never their audio);
* :mod:`.writer` - the overlay with the original audio, to a file or URL.
"""
from .errors import (CorruptMediaWarning, MissingAudioWarning,
                     NoAudioStreamError, SourceEndedWarning, SourceOpenError,
                     TimestampGapWarning, VideoReadError)
from .frame_dir_reader import IMAGE_EXTENSIONS, FrameDirSliceReader
from .frame_sizer import FrameResizedWarning, FrameSizer
from .live_clock import LiveClock, LiveStats
from .live_reader import LiveSliceReader
from .open_reader import open_slice_reader
from .probe import AudioStreamInfo, VideoInfo, probe_video
from .slicing import SliceAssembler, StreamSlice
from .sources import MediaSource, is_url, parse_options, parse_source
from .video_reader import VideoSliceReader
from .writer import MP4_COPY_AUDIO_CODECS, AVWriter, output_format

__all__ = [
    'AVWriter', 'AudioStreamInfo', 'CorruptMediaWarning',
    'FrameDirSliceReader', 'FrameResizedWarning', 'FrameSizer',
    'IMAGE_EXTENSIONS', 'LiveClock', 'LiveStats',
    'LiveSliceReader', 'MP4_COPY_AUDIO_CODECS', 'MediaSource',
    'MissingAudioWarning', 'NoAudioStreamError', 'SliceAssembler',
    'SourceEndedWarning', 'SourceOpenError', 'StreamSlice',
    'TimestampGapWarning', 'VideoInfo', 'VideoReadError', 'VideoSliceReader',
    'is_url', 'open_slice_reader', 'output_format', 'parse_options',
    'parse_source', 'probe_video'
]
