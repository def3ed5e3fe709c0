# Copyright (c) seavis_mm contributors. All rights reserved.
"""seavis_mm: online audio-visual instance segmentation (SeaVIS) for the
OpenMMLab ecosystem.

Importing the package is cheap; components register themselves when
:func:`seavis_mm.utils.register_all_modules` runs (the tools call it) or when a
registry with the ``seavis_mm`` scope first builds something.
"""
from .version import __version__, version_info

__all__ = ['__version__', 'version_info']
