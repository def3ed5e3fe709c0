# Copyright (c) seavis_mm contributors. All rights reserved.
"""Mask encodings used by the AVIS evaluator, all through pycocotools.

Internally a mask is a compressed COCO RLE ``{'size': [h, w], 'counts':
bytes}`` or ``None`` (absent). Files store ``counts`` as ``str``.
"""
from typing import Any, Optional

import numpy as np
from pycocotools import mask as mask_utils

RLE = dict


def _check_size(size: Any, height: int, width: int, where: str) -> None:
    if list(size) != [height, width]:
        raise ValueError(f'{where}: mask size {list(size)} does not match '
                         f'the video size [{height}, {width}] (height, '
                         'width).')


def seg_to_rle(seg: Any, height: int, width: int,
               where: str) -> Optional[RLE]:
    """Convert one frame's segmentation to a compressed RLE.

    Accepts what YouTube-VIS / AVISeg files hold: a compressed RLE (``counts``
    a ``str`` or ``bytes``), an uncompressed RLE (``counts`` a list of ints),
    a polygon list (``[[x0, y0, x1, y1, ...], ...]``) or ``None``. As in
    AVISM's evaluator (``if seg:``), a falsy value (``None``, ``[]``) is an
    absence.

    Args:
        seg: The segmentation of one frame.
        height (int): Height of the video.
        width (int): Width of the video.
        where (str): Names the file and field, for error messages.

    Returns:
        dict | None: ``{'size': [h, w], 'counts': bytes}`` or ``None``.
    """
    if not seg:
        return None
    if isinstance(seg, dict):
        if 'counts' not in seg or 'size' not in seg:
            raise ValueError(f"{where}: an RLE needs 'counts' and 'size', "
                             f'got keys {sorted(seg)}.')
        _check_size(seg['size'], height, width, where)
        counts = seg['counts']
        if isinstance(counts, list):  # uncompressed RLE
            return mask_utils.frPyObjects(seg, height, width)
        if isinstance(counts, str):
            counts = counts.encode('ascii')
        if not isinstance(counts, bytes):
            raise ValueError(f"{where}: RLE 'counts' must be a str, bytes or "
                             f'a list of ints, got {type(counts).__name__}.')
        return {'size': [height, width], 'counts': counts}
    if isinstance(seg, list) and all(isinstance(p, list) for p in seg):
        polys = [p for p in seg if len(p) >= 6 and len(p) % 2 == 0]
        if len(polys) != len(seg):
            raise ValueError(f'{where}: a polygon needs an even number (>= 6) '
                             'of coordinates.')
        return mask_utils.merge(mask_utils.frPyObjects(polys, height, width))
    raise ValueError(f'{where}: expected an RLE dict, a polygon list or '
                     f'null, got {type(seg).__name__}.')


def encode_mask(mask: np.ndarray) -> RLE:
    """Encode a binary ``(H, W)`` mask as a compressed RLE (bytes counts)."""
    rle = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    return {'size': [int(s) for s in rle['size']], 'counts': rle['counts']}


def empty_rle(height: int, width: int) -> RLE:
    """The RLE of an all-zero mask (AVISM writes it where a track is absent;
    for 720x1280 its counts are the literal ``'PPTl0'``)."""
    return encode_mask(np.zeros((height, width), dtype=np.uint8))


def rle_area(rle: Optional[RLE]) -> int:
    """Number of foreground pixels (0 for ``None``)."""
    return 0 if rle is None else int(mask_utils.area(rle))


def mask_ious(gt_rles: list, pred_rles: list) -> np.ndarray:
    """Mask IoU matrix ``(len(gt_rles), len(pred_rles))``, no crowd."""
    if len(gt_rles) == 0 or len(pred_rles) == 0:
        return np.zeros((len(gt_rles), len(pred_rles)), dtype=float)
    return np.asarray(
        mask_utils.iou(gt_rles, pred_rles, [False] * len(pred_rles)),
        dtype=float).reshape(len(gt_rles), len(pred_rles))


def rle_to_json(rle: Optional[RLE]) -> Optional[dict]:
    """A JSON-serialisable copy (``counts`` as ``str``)."""
    if rle is None:
        return None
    counts = rle['counts']
    if isinstance(counts, bytes):
        counts = counts.decode('ascii')
    return {'size': list(rle['size']), 'counts': counts}
