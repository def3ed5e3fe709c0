# Copyright (c) seavis_mm contributors. All rights reserved.
from .audio_tag_head import AudioTagHead
from .center_votes import CenterVotes
from .fine_mask_features import FineMaskFeatures
from .msda import (MSDA_IMPLS, msda_implementation,
                   multi_scale_deformable_attn_gather,
                   multi_scale_deformable_attn_levels)
from .sounding_seg import SoundingSegmentation

__all__ = [
    'AudioTagHead', 'CenterVotes', 'FineMaskFeatures', 'MSDA_IMPLS',
    'msda_implementation', 'multi_scale_deformable_attn_gather',
    'multi_scale_deformable_attn_levels', 'SoundingSegmentation'
]
