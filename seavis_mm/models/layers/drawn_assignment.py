# Copyright (c) seavis_mm contributors. All rights reserved.
"""Which ground-truth instance each query *draws*: a one-to-many assignment
by mask IoU, beside Mask2Former's one-to-one Hungarian matching.

With one-to-one matching, a second query whose mask covers an instance as
well as the matched one is trained as background (class), as a negative of
the instance (identity) and as silent (sounding), although it draws the
object. Where several queries settle on one object (the query location
prior, ``QueryLocationPrior``), which of them the matching picks flips from
step to step, so the object's class score, identity and sounding are pulled
towards ``1 / k`` for ``k`` queries, and at inference the query that mask
NMS keeps may be the one trained as a negative. The assignment here names
the instance each query draws (its mask IoU is highest with it, at least
``iou_thr``), so the losses that read it can treat such a query as the
instance (one-to-many targets, as H-DETR's auxiliary branch and Group DETR
train extra positives; here the positives come from the drawn masks, not
from repeated ground truth), and mask NMS at inference keeps one.

mmdet's assigners match boxes or sampled points under a one-to-one cost;
the masks here are dense and the rule is a threshold, so it is written
here on :func:`mask_iou_matrix`.
"""
import torch
import torch.nn.functional as F
from torch import Tensor

from .mask_iou import mask_iou_matrix


def gt_masks_at(gt_masks: Tensor, size) -> Tensor:
    """Ground-truth masks ``[n, H, W]`` as bool masks of ``size``
    (bilinear, a pixel is in where it is at least half covered)."""
    return F.interpolate(gt_masks[None].float(), size, mode='bilinear',
                         align_corners=False)[0] > 0.5


@torch.no_grad()
def drawn_assignment(mask_logits: Tensor, gt_masks: Tensor,
                     iou_thr: float = 0.5) -> Tensor:
    """The ground-truth instance each query draws.

    Args:
        mask_logits (Tensor): ``[Q, h, w]`` one frame's mask logits (a
            query's mask is where the logit is above 0).
        gt_masks (Tensor): ``[n, H, W]`` the frame's ground-truth masks
            (any size; resized to ``h x w``).
        iou_thr (float): Smallest mask IoU at which a query draws an
            instance.

    Returns:
        Tensor: ``[Q]`` long, the index into ``gt_masks`` of the instance
        the query draws (highest IoU), or -1.
    """
    num_queries = mask_logits.shape[0]
    out = torch.full((num_queries, ), -1, dtype=torch.long,
                     device=mask_logits.device)
    if len(gt_masks) == 0 or num_queries == 0:
        return out
    iou = mask_iou_matrix(mask_logits > 0,
                          gt_masks_at(gt_masks, mask_logits.shape[-2:]))
    best, idx = iou.max(dim=1)
    keep = best >= iou_thr
    out[keep] = idx[keep]
    return out
