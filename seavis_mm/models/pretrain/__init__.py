# Copyright (c) seavis_mm contributors. All rights reserved.
from .audio_tagger import AudioTagger

__all__ = ['AudioTagger']
