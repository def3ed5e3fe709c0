# Copyright (c) seavis_mm contributors. All rights reserved.
"""Pairwise IoU of binary mask tensors, shared by the tracker's mask NMS and
the sounding loss's drawn targets (mmdet's mask IoUs work on
``BitmapMasks`` / numpy, and the evaluation's on RLEs)."""
from torch import Tensor


def mask_iou_matrix(a: Tensor, b: Tensor) -> Tensor:
    """IoU of every mask of ``a`` with every mask of ``b``.

    Args:
        a (Tensor): ``[n, ...]`` binary masks (bool or 0/1).
        b (Tensor): ``[m, ...]`` binary masks of the same size.

    Returns:
        Tensor: ``[n, m]`` float; 0 where both masks are empty.
    """
    a, b = a.flatten(1).float(), b.flatten(1).float()
    inter = a @ b.t()
    union = a.sum(1)[:, None] + b.sum(1)[None, :] - inter
    return inter / union.clamp(min=1)
