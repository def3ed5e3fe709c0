# Copyright (c) seavis_mm contributors. All rights reserved.
from .sound_aware_tracker import SoundAwareTracker

__all__ = ['SoundAwareTracker']
