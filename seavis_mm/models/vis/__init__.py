# Copyright (c) seavis_mm contributors. All rights reserved.
from .seavis import SeaVIS

__all__ = ['SeaVIS']
