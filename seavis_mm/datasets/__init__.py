# Copyright (c) seavis_mm contributors. All rights reserved.
from .audio import (StreamingLogMel, VGGishLogMel, load_audio, patch_for_frame)
from .aviseg_dataset import AVISEG_CLASSES, AVISDataError, AVISegDataset
from .toyavis import TOYAVIS_CLASSES, export_video_mp4, make_toyavis
from .transforms import *  # noqa: F401,F403

__all__ = [
    'AVISegDataset', 'AVISDataError', 'AVISEG_CLASSES', 'TOYAVIS_CLASSES',
    'make_toyavis', 'export_video_mp4', 'load_audio', 'patch_for_frame',
    'VGGishLogMel', 'StreamingLogMel', 'AVISClipSample', 'LoadAudioWindows',
    'PackAVISInputs'
]
