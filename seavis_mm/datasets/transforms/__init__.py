# Copyright (c) seavis_mm contributors. All rights reserved.
from .copy_paste import ClipCopyPaste
from .formatting import PackAVISInputs
from .frame_sampling import AVISClipSample
from .loading import AudioFallbackWarning, LoadAudioWindows

__all__ = [
    'AVISClipSample', 'ClipCopyPaste', 'LoadAudioWindows',
    'AudioFallbackWarning', 'PackAVISInputs'
]
