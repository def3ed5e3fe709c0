# Copyright (c) seavis_mm contributors. All rights reserved.
"""A mask loss on the pixels of a query's *rivals*: the other instances of
its instance's category in the frame.

At 1,600 iterations most of the sounding objects the tracker drops lose its
mask NMS to a look-alike's mask that spills over them (17 of 26 merged
losses, configs/seavis/README.md, "Query points on centre votes"). ToyAVIS
sounds by category, so the look-alike next door is a sounding instance of
the same class, annotated in the same frame. Mask2Former's mask losses
(mmdet's ``Mask2FormerHead``: BCE and dice on points sampled where the mask
is uncertain) count such a rim as a few of thousands of points, weighed as
any background point. Here a query that stands for instance ``k`` (its
Hungarian match, or with one-to-many targets the instance it draws) pays a
BCE towards background on the pixels of the other instances of ``k``'s
category, averaged over those pixels only: the rim costs as much as the
whole look-alike would, so a query learns to stop at the boundary between
two look-alikes.

mmdet's mask losses take a per-point weight only through ``avg_factor`` and
sample points the same way for every target, so the rival pixels are
written here as their own term.
"""
from typing import List

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from seavis_mm.registry import MODELS


def rival_maps(gt_masks: Tensor, gt_labels: Tensor, assigned: Tensor,
               size, same_class: bool = True) -> Tensor:
    """Each assigned query's rival pixels at ``size``.

    Args:
        gt_masks (Tensor): ``[n, H, W]`` one frame's ground-truth masks.
        gt_labels (Tensor): ``[n]`` their classes.
        assigned (Tensor): ``[P]`` long, the index into ``gt_masks`` of the
            instance each of ``P`` queries stands for.
        size (tuple[int, int]): ``(h, w)`` of the mask logits.
        same_class (bool): Rivals are the other instances of the same
            class (True) or every other instance (False).

    Returns:
        Tensor: ``[P, h, w]`` float in [0, 1], the share of each pixel
        covered by the query's rivals (area-resized, so a thin rim at
        coarse resolution still counts).
    """
    num = len(assigned)
    if num == 0 or len(gt_masks) == 0:
        return gt_masks.new_zeros((num, *size), dtype=torch.float)
    masks = F.adaptive_avg_pool2d(gt_masks[None].float(), size)[0]
    other = assigned.view(-1, 1) != torch.arange(
        len(gt_masks), device=assigned.device).view(1, -1)  # [P, n]
    if same_class:
        other = other & (gt_labels[assigned].view(-1, 1) ==
                         gt_labels.view(1, -1))
    # visible parts are disjoint, so the sum is the union
    return torch.einsum('pn,nhw->phw', other.float(),
                        masks).clamp_(max=1.0)


def rival_mask_loss(mask_logits: Tensor, rivals: Tensor) -> Tensor:
    """BCE towards background on the rival pixels, averaged over them.

    Args:
        mask_logits (Tensor): ``[P, h, w]`` the assigned queries' mask
            logits.
        rivals (Tensor): ``[P, h, w]`` :func:`rival_maps`.

    Returns:
        Tensor: scalar; zero (with a graph) when no query has a rival.
    """
    area = rivals.sum()
    if area <= 0:
        return mask_logits.sum() * 0.0
    # BCE with target 0 is softplus(logit)
    return (F.softplus(mask_logits) * rivals).sum() / area


@MODELS.register_module()
class RivalMaskLoss(nn.Module):
    """:func:`rival_mask_loss` as a registered loss.

    Args:
        same_class (bool): Rivals are the other instances of the query's
            class (the look-alikes), or every other instance. Defaults to
            True.
        loss_weight (float): Defaults to 2.0.
    """

    def __init__(self, same_class: bool = True,
                 loss_weight: float = 2.0) -> None:
        super().__init__()
        if loss_weight < 0:
            raise ValueError('RivalMaskLoss: loss_weight must be >= 0, got '
                             f'{loss_weight}')
        self.same_class = bool(same_class)
        self.loss_weight = float(loss_weight)

    def forward(self, mask_logits: List[Tensor], gt_masks: List[Tensor],
                gt_labels: List[Tensor], assigned: List[Tensor],
                query_inds: List[Tensor]) -> Tensor:
        """The loss over a batch of frames.

        Args:
            mask_logits (list[Tensor]): per frame ``[Q, h, w]``.
            gt_masks (list[Tensor]): per frame ``[n, H, W]``.
            gt_labels (list[Tensor]): per frame ``[n]``.
            assigned (list[Tensor]): per frame ``[P]``, the instance index
                each of the frame's assigned queries stands for.
            query_inds (list[Tensor]): per frame ``[P]``, those queries.

        Returns:
            Tensor: the weighted loss.
        """
        logits, rivals = [], []
        for x, masks, labels, gt_idx, q in zip(mask_logits, gt_masks,
                                               gt_labels, assigned,
                                               query_inds):
            logits.append(x[q])
            rivals.append(rival_maps(masks, labels, gt_idx, x.shape[-2:],
                                     self.same_class))
        loss = rival_mask_loss(torch.cat(logits), torch.cat(rivals))
        return self.loss_weight * loss
