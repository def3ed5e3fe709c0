# Copyright (c) seavis_mm contributors. All rights reserved.
from .mask2former_decode import mask2former_decode
from .seavis_head import SeaVISHead

__all__ = ['SeaVISHead', 'mask2former_decode']
