# Copyright (c) seavis_mm contributors. All rights reserved.
from .fine_mask_features import FineMaskFeatures
from .msda import (MSDA_IMPLS, msda_implementation,
                   multi_scale_deformable_attn_gather,
                   multi_scale_deformable_attn_levels)

__all__ = [
    'FineMaskFeatures', 'MSDA_IMPLS', 'msda_implementation',
    'multi_scale_deformable_attn_gather', 'multi_scale_deformable_attn_levels'
]
