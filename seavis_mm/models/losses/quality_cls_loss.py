# Copyright (c) seavis_mm contributors. All rights reserved.
r"""Mask-quality (IoU-aware) class targets for Mask2Former's queries.

Mask2Former trains a query's class with a hard target: the query the
Hungarian matching gives an instance is that instance's class with
probability 1, whatever its mask looks like. At inference its score is
``p_class x mean mask probability``, and the tracker's mask NMS keeps the
highest-scoring of two overlapping masks. A query whose mask spills over a
look-alike next to its instance (two objects of one category drawn as one
mask: the recall funnel's ``merged`` drops, docs/en/metrics.md) was
matched to one of them in training and so learned a class probability as
high as a query that draws the object alone; at inference the merged mask
outranks the clean one and the NMS drops the clean one.

Here a matched query's class target is soft: the mask IoU ``u`` of its
(detached, binarised) mask with its instance, raised to ``power``, goes to
the instance's class and ``1 - u^power`` to "no object",

.. math::
    \ell_q = -w_c\, u_q^{\alpha} \log p_{q,c}
             - w_\varnothing (1 - u_q^{\alpha}) \log p_{q,\varnothing},

and every other query keeps the hard "no object" target
(:math:`-w_\varnothing \log p_{q,\varnothing}`). The sum is divided by the
summed target weights, as mmdet's ``CrossEntropyLoss`` with
``class_weight`` divides by ``class_weight[labels].sum()``: with every
``u = 1`` this is exactly Mask2Former's class loss. The class probability
then estimates how well the query draws its instance, as IoU-aware
classification does for boxes (VarifocalNet's IoU-aware targets,
Stable-DINO's position-supervised loss), so that the merged mask scores
below the clean one. Measured (configs/seavis/README.md, "Mask-quality
class targets", session 24): the NMS drops as many sounding objects to
merged masks with these targets as without them, and the lower class
scores pass fewer objects; an option, off by default.

mmdet's ``CrossEntropyLoss`` takes integer labels only, so the soft
two-class target is written here; the matching, the mask losses and the
hard targets of the unmatched queries are mmdet's.
"""
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from seavis_mm.models.layers.drawn_assignment import gt_masks_at
from seavis_mm.registry import MODELS


@torch.no_grad()
def matched_mask_iou(mask_logits: Tensor, gt_masks: Tensor,
                     pos_inds: Tensor, pos_gt_inds: Tensor) -> Tensor:
    """Mask IoU of each matched query with its instance.

    Args:
        mask_logits (Tensor): ``[Q, h, w]`` one frame's mask logits (a
            query's mask is where its logit is above 0).
        gt_masks (Tensor): ``[n, H, W]`` the frame's ground-truth masks
            (any size; resized to ``h x w`` as :func:`drawn_assignment`
            does).
        pos_inds (Tensor): ``[k]`` the matched queries.
        pos_gt_inds (Tensor): ``[k]`` the instance each one is matched to.

    Returns:
        Tensor: ``[k]`` float IoUs in [0, 1].
    """
    if len(pos_inds) == 0:
        return mask_logits.new_zeros((0, ))
    gt = gt_masks_at(gt_masks[pos_gt_inds], mask_logits.shape[-2:])
    pred = (mask_logits[pos_inds] > 0).flatten(1)
    gt = gt.flatten(1)
    inter = (pred & gt).sum(1).float()
    return inter / (pred | gt).sum(1).clamp(min=1).float()


def quality_cross_entropy(cls_logits: Tensor, labels: Tensor,
                          quality: Tensor, class_weight: Tensor) -> Tensor:
    """The soft-target class loss of the module docstring.

    Args:
        cls_logits (Tensor): ``[N, C + 1]`` class logits, "no object" last.
        labels (Tensor): ``[N]`` long, the class of a matched query or
            ``C`` ("no object").
        quality (Tensor): ``[N]`` the target probability of ``labels`` for
            a matched query (ignored where ``labels == C``).
        class_weight (Tensor): ``[C + 1]`` mmdet's ``class_weight``.

    Returns:
        Tensor: the weighted mean loss (a scalar).
    """
    bg = cls_logits.shape[1] - 1
    log_p = F.log_softmax(cls_logits, dim=1)
    pos = labels < bg
    q = torch.where(pos, quality.clamp(0.0, 1.0), torch.ones_like(quality))
    # the class term (for "no object" rows, the hard bg term itself)
    w_lab = class_weight[labels] * q
    loss = -(w_lab * log_p.gather(1, labels[:, None])[:, 0])
    # matched rows: the rest of the target goes to "no object"
    w_bg = class_weight[bg] * (1.0 - q) * pos
    loss = loss - w_bg * log_p[:, bg]
    return loss.sum() / (w_lab + w_bg).sum().clamp(min=1e-6)


@MODELS.register_module()
class QualityCrossEntropyLoss(nn.Module):
    """Mask-quality class loss (see module docstring).

    Args:
        power (float): ``alpha``, the target is ``IoU ** power``; above 1
            it separates a merged mask (IoU about 0.5) from a clean one
            more, below 1 less. Defaults to 1.0.
        loss_weight (float): Defaults to 2.0 (Mask2Former's ``loss_cls``).
    """

    def __init__(self, power: float = 1.0, loss_weight: float = 2.0) -> None:
        super().__init__()
        if power <= 0:
            raise ValueError(f'QualityCrossEntropyLoss: power must be > 0, '
                             f'got {power}')
        self.power = float(power)
        self.loss_weight = float(loss_weight)

    def targets(self, mask_preds: Tensor, gt_masks: Sequence[Tensor],
                gt_labels: Sequence[Tensor], sampling_results: List,
                num_classes: int,
                drawn: Optional[Sequence[Tensor]] = None
                ) -> Tuple[Tensor, Tensor]:
        """Labels and quality targets of a batch of frames.

        Args:
            mask_preds (Tensor): ``[B, Q, h, w]`` mask logits.
            gt_masks, gt_labels: per frame, ``[n, H, W]`` and ``[n]``.
            sampling_results (list): per frame, mmdet's
                ``SamplingResult`` of the Hungarian matching
                (``pos_inds``, ``pos_assigned_gt_inds``).
            num_classes (int): ``C``; "no object" is label ``C``.
            drawn (list[Tensor], optional): per frame, ``[Q]`` the instance
                each query draws (:func:`drawn_assignment`, -1: none), for
                one-to-many class targets: an unmatched query that draws
                an instance is a positive of it too, its target the IoU
                with it. None: the matches only.

        Returns:
            tuple[Tensor, Tensor]: ``[B, Q]`` long labels and ``[B, Q]``
            float targets ``IoU ** power`` (1 for "no object").
        """
        batch, num_queries = mask_preds.shape[:2]
        labels = mask_preds.new_full((batch, num_queries), num_classes,
                                     dtype=torch.long)
        quality = mask_preds.new_ones((batch, num_queries))
        for i, res in enumerate(sampling_results):
            pos, gt_inds = res.pos_inds, res.pos_assigned_gt_inds
            if drawn is not None:
                extra = drawn[i] >= 0
                extra[pos] = False
                extra = torch.nonzero(extra).view(-1)
                pos = torch.cat([pos, extra])
                gt_inds = torch.cat([gt_inds, drawn[i][extra]])
            labels[i, pos] = gt_labels[i][gt_inds].long()
            iou = matched_mask_iou(mask_preds[i].detach(), gt_masks[i], pos,
                                   gt_inds)
            quality[i, pos] = iou.pow(self.power)
        return labels, quality

    def forward(self, cls_logits: Tensor, labels: Tensor, quality: Tensor,
                class_weight: Tensor) -> Tensor:
        """:func:`quality_cross_entropy` times ``loss_weight``."""
        return self.loss_weight * quality_cross_entropy(
            cls_logits, labels, quality, class_weight)
