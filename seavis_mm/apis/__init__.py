# Copyright (c) seavis_mm contributors. All rights reserved.
from .export import StreamResults, instance_id_map, write_instance_png
from .inference import (FrameSizeChangedWarning, NonFiniteAudioWarning,
                        OnlineAVISInferencer, stream_pipeline_cfg)
from .video_io import (AVWriter, CorruptMediaWarning, FrameDirSliceReader,
                       MissingAudioWarning, NoAudioStreamError, StreamSlice,
                       TimestampGapWarning, VideoInfo, VideoReadError,
                       VideoSliceReader, open_slice_reader, probe_video)
from .seavis_inferencer import SeaVISInferencer
from .visualization import OverlayPainter, plot_timeline, track_color

__all__ = [
    'OnlineAVISInferencer', 'stream_pipeline_cfg', 'VideoSliceReader',
    'FrameDirSliceReader', 'open_slice_reader', 'probe_video', 'VideoInfo',
    'StreamSlice', 'AVWriter', 'NoAudioStreamError', 'MissingAudioWarning',
    'VideoReadError', 'CorruptMediaWarning', 'TimestampGapWarning',
    'NonFiniteAudioWarning', 'FrameSizeChangedWarning', 'OverlayPainter',
    'plot_timeline', 'track_color', 'StreamResults', 'instance_id_map',
    'write_instance_png', 'SeaVISInferencer'
]
