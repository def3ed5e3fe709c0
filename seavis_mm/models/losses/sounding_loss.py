# Copyright (c) seavis_mm contributors. All rights reserved.
r"""Per-query sounding probability loss.

The head scores every query of a frame against the frame's audio anchor,
``z_q = s * <e_q, p_t> + b`` with a learned scale ``s`` and bias ``b``
(:meth:`SeaVISHead.sound_logits`), and ``sigmoid(z_q)`` is the probability
that query ``q`` is a sounding object. The target is 1 for the queries
matched (Hungarian) to the frame's sounding ground truth and 0 for every
other query: background, and any query on a visible but silent object.

Unlike InfoNCE (AGCL), which only shapes the logits of a frame relative to
each other and needs a positive, the binary cross-entropy

.. math::
    \ell = -\frac{1}{|F| Q} \sum_{t \in F} \sum_q
        y_{t,q} \log \sigma(z_{t,q}) + (1 - y_{t,q}) \log (1 - \sigma(z_{t,q}))

is defined on frames with no sounding object (every query's target is 0:
the anchor learns to reject them all) and calibrates the decision: the
tracker's gate is ``sigmoid(z) > 0.5``, a threshold that comes from training
rather than a cosine picked by hand. ``F`` is every frame, or, with
``silent_frames=False`` (the ablation), only frames with at least one
sounding object.

Which queries are positive (``targets``): ``'matched'``, the one query the
Hungarian matching gives each sounding object; or ``'drawn'``, also every
query whose predicted mask covers a sounding object (mask IoU >=
``drawn_iou``, :func:`drawn_targets`). Sounding is a property of what a
query draws; which of several queries drawing one object is *the* instance
is the class score's decision. With ``'matched'``, a second query on a
sounding object is a negative, so the probability of an object seen by k
queries is pulled towards 1 / k: with the query location prior, where
neighbouring queries draw the same object, the sounding candidates' median
probability was 0.47 / 0.55 (seeds 0 / 1) at 400 iterations, at the 0.5
threshold, although their ranking against the silent ones was right (AUC
0.88 / 0.90: the recall funnel's ``gate``, configs/seavis/README.md).

mmdet's ``CrossEntropyLoss(use_sigmoid=True)`` expects class-shaped targets
and per-sample weights; the frame selection is the only new part here, so
this calls ``F.binary_cross_entropy_with_logits`` directly.
"""
from typing import List

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from seavis_mm.models.layers.drawn_assignment import drawn_assignment
from seavis_mm.registry import MODELS


def sounding_bce_loss(sound_logits: Tensor, pos_mask: Tensor,
                      silent_frames: bool = True,
                      pos_weight: float = 1.0) -> Tensor:
    """Sounding BCE (see module docstring).

    Args:
        sound_logits (Tensor): ``[F, Q]`` per-query sounding logits.
        pos_mask (Tensor): ``[F, Q]`` bool, True for queries matched to the
            frame's sounding ground truth.
        silent_frames (bool): Whether frames with no sounding object count.
        pos_weight (float): Weight of the positive terms.

    Returns:
        Tensor: scalar (0 with a gradient path when no frame counts).
    """
    keep = pos_mask.any(dim=1) if not silent_frames else \
        pos_mask.new_ones(pos_mask.shape[0])
    if not bool(keep.any()):
        return sound_logits.sum() * 0
    logits, target = sound_logits[keep], pos_mask[keep].to(sound_logits)
    weight = 1.0 + (pos_weight - 1.0) * target
    return F.binary_cross_entropy_with_logits(logits, target, weight=weight)


@torch.no_grad()
def drawn_targets(mask_logits: Tensor, gt_masks: List[Tensor],
                  iou_thr: float = 0.5) -> Tensor:
    """Which queries draw a ground-truth (sounding) object.

    Args:
        mask_logits (Tensor): ``[F, Q, h, w]`` the last decoder layer's
            mask logits.
        gt_masks (list[Tensor]): per frame, ``[n, H, W]`` the sounding
            objects' masks (any size; resized to ``h x w``).
        iou_thr (float): IoU of the query's mask (probability > 0.5) with
            an object from which the query draws it.

    Returns:
        Tensor: ``[F, Q]`` bool.
    """
    return torch.stack([
        drawn_assignment(logits, gt, iou_thr) >= 0
        for logits, gt in zip(mask_logits, gt_masks)
    ]) if len(gt_masks) else mask_logits.new_zeros(
        mask_logits.shape[:2], dtype=torch.bool)


@MODELS.register_module()
class SoundingBCELoss(nn.Module):
    """Per-query sounding BCE (see module docstring).

    Args:
        silent_frames (bool): Train on frames with no sounding object (every
            query negative). Defaults to True.
        pos_weight (float): Weight of the positive (sounding) terms.
            Defaults to 1.0 (the calibrated choice).
        targets (str): ``'matched'`` or ``'drawn'`` (see the module
            docstring). Defaults to ``'matched'``.
        drawn_iou (float): Mask IoU from which a query draws an object
            (``targets='drawn'``). Defaults to 0.5.
        loss_weight (float): Defaults to 1.0.
    """

    def __init__(self,
                 silent_frames: bool = True,
                 pos_weight: float = 1.0,
                 targets: str = 'matched',
                 drawn_iou: float = 0.5,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        if targets not in ('matched', 'drawn'):
            raise ValueError("SoundingBCELoss: targets must be 'matched' or "
                             f"'drawn', got {targets!r}")
        self.targets = targets
        self.drawn_iou = float(drawn_iou)
        self.silent_frames = silent_frames
        self.pos_weight = pos_weight
        self.loss_weight = loss_weight

    def forward(self, sound_logits: Tensor, pos_mask: Tensor) -> Tensor:
        """See :func:`sounding_bce_loss`."""
        return self.loss_weight * sounding_bce_loss(
            sound_logits, pos_mask, self.silent_frames, self.pos_weight)
