# Copyright (c) seavis_mm contributors. All rights reserved.
from .seavis_head import SeaVISHead

__all__ = ['SeaVISHead']
