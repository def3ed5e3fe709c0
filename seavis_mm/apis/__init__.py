# Copyright (c) seavis_mm contributors. All rights reserved.
# The media layer lives in seavis_mm.media; its names stay importable here.
from seavis_mm.media import (AVWriter, CorruptMediaWarning,
                             FrameDirSliceReader, LiveClock, LiveSliceReader,
                             MissingAudioWarning, NoAudioStreamError,
                             StreamSlice, TimestampGapWarning, VideoInfo,
                             VideoReadError, VideoSliceReader,
                             open_slice_reader, probe_video)
from .export import StreamResults, instance_id_map, write_instance_png
from .inference import (FrameSizeChangedWarning, NonFiniteAudioWarning,
                        OnlineAVISInferencer, stream_pipeline_cfg)
from .seavis_inferencer import SeaVISInferencer
from .stream_runner import StreamRunner
from .visualization import OverlayPainter, plot_timeline, track_color

__all__ = [
    'OnlineAVISInferencer', 'stream_pipeline_cfg', 'VideoSliceReader',
    'FrameDirSliceReader', 'LiveSliceReader', 'LiveClock',
    'open_slice_reader', 'probe_video', 'VideoInfo', 'StreamSlice',
    'AVWriter', 'NoAudioStreamError', 'MissingAudioWarning',
    'VideoReadError', 'CorruptMediaWarning', 'TimestampGapWarning',
    'NonFiniteAudioWarning', 'FrameSizeChangedWarning', 'OverlayPainter',
    'plot_timeline', 'track_color', 'StreamResults', 'instance_id_map',
    'write_instance_png', 'StreamRunner', 'SeaVISInferencer'
]
