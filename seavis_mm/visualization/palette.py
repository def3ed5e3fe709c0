# Copyright (c) seavis_mm contributors. All rights reserved.
"""One colour per track id, so a track keeps its colour over a video."""
from typing import List, Optional, Tuple

from mmdet.visualization.palette import get_palette

_PALETTE: Optional[List[Tuple[int, int, int]]] = None


def track_rgb(track_id: int) -> Tuple[int, int, int]:
    """RGB colour of a track id: mmdet's COCO palette, stepped by 7 so that
    neighbouring ids get distinct hues."""
    global _PALETTE
    if _PALETTE is None:
        _PALETTE = [tuple(int(c) for c in rgb)
                    for rgb in get_palette('coco', 80)]
    return _PALETTE[(int(track_id) * 7) % len(_PALETTE)]
