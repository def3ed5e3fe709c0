# Copyright (c) seavis_mm contributors. All rights reserved.
"""Kept for old imports: the media layer lives in :mod:`seavis_mm.media`
(sources, readers, the slicing, the live clock and the writer, a file
each)."""
from seavis_mm.media import *  # noqa: F401,F403
from seavis_mm.media import __all__  # noqa: F401
