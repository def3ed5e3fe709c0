# Copyright (c) seavis_mm contributors. All rights reserved.
from .base import BaseAudioEncoder, encode_audio_tokens
from .vggish import VGGishAudioEncoder, VGGishFeatureProjector

__all__ = [
    'BaseAudioEncoder', 'encode_audio_tokens', 'VGGishAudioEncoder',
    'VGGishFeatureProjector'
]
