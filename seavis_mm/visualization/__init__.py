# Copyright (c) seavis_mm contributors. All rights reserved.
from .local_visualizer import (PreparedFrame, PreparedInstance,
                               SeaVISLocalVisualizer, draw_speaker,
                               draw_stream_status)
from .palette import track_rgb

__all__ = [
    'SeaVISLocalVisualizer', 'PreparedFrame', 'PreparedInstance',
    'draw_speaker', 'draw_stream_status', 'track_rgb'
]
