# Copyright (c) seavis_mm contributors. All rights reserved.
from .vggish import VGGishAudioEncoder, VGGishFeatureProjector

__all__ = ['VGGishAudioEncoder', 'VGGishFeatureProjector']
