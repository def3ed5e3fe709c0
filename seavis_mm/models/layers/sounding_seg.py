# Copyright (c) seavis_mm contributors. All rights reserved.
"""A dense loss on the fused mask features: which pixels belong to a
sounding object, and of which category.

Mask2Former trains its mask features only through the masks of the queries
the Hungarian matcher pairs with an instance, at a few sampled points each.
A model trained from scratch for 400 iterations learns them slowly: at the
zoo's budget no query segments 30% of the sounding object-frames at
IoU >= 0.5 (the recall funnel, configs/seavis/README.md). Here every pixel of
every frame gets a target, as in HTC's semantic branch and AVSBench's
audio-visual segmentation: a small conv head on the mask features *after*
CCAF predicts, per pixel, the category of the sounding object it belongs to
or background. AVISeg annotates sounding objects only, so a visible but
silent object is background: the loss trains the fused features to light up
what sounds, and to keep silent look-alikes dark.

It is a training aid: inference never runs it (no cost, the export and the
tracker are unchanged). mmdet's Mask2Former has no such branch (HTC's
``FusedSemanticHead`` reads FPN levels and predicts stuff, not instance
categories), so the head is written here; the loss is mmdet's
``CrossEntropyLoss``.
"""
from typing import List, Optional

import torch
from torch import Tensor, nn

from seavis_mm.registry import MODELS
from .center_votes import hidden_conv, pixel_owners


def category_targets(gt_masks: Tensor, gt_labels: Tensor, size,
                     background: int) -> Tensor:
    """Each pixel's category at ``size``: ``[h, w]`` long, ``background``
    where no instance covers half of the pixel.

    Args:
        gt_masks (Tensor): ``[n, H, W]`` one frame's instance masks.
        gt_labels (Tensor): ``[n]`` their categories.
        size (tuple[int, int]): The target's ``(h, w)``.
        background (int): The background index (the number of classes).
    """
    h, w = size
    out = torch.full((h, w), background, dtype=torch.long,
                     device=gt_masks.device)
    if len(gt_masks) == 0:
        return out
    if len(gt_labels) != len(gt_masks):
        raise ValueError(f'category_targets: {len(gt_masks)} masks but '
                         f'{len(gt_labels)} labels')
    idx, fg = pixel_owners(gt_masks, size)
    out[fg] = gt_labels.to(out.device).long()[idx[fg]]
    return out


class SoundingSegmentation(nn.Module):
    """Per-pixel sounding-object categories from the fused mask features.

    Args:
        in_channels (int): The mask features' channels.
        num_classes (int): Object categories; index ``num_classes`` is
            background.
        hidden_channels (int): Width of the hidden 3x3 conv. Defaults to 64.
        loss (dict, optional): The loss config. Defaults to mmdet's
            ``CrossEntropyLoss`` (softmax) with weight 1.0.
    """

    def __init__(self,
                 in_channels: int,
                 num_classes: int,
                 hidden_channels: int = 64,
                 loss: Optional[dict] = None) -> None:
        super().__init__()
        if num_classes < 1:
            raise ValueError('SoundingSegmentation: num_classes must be >= '
                             f'1, got {num_classes}')
        self.num_classes = int(num_classes)
        self.hidden = hidden_conv(in_channels, hidden_channels)
        self.cls = nn.Conv2d(hidden_channels, num_classes + 1, 1)
        self.loss_seg = MODELS.build(loss or dict(
            type='mmdet.CrossEntropyLoss', use_sigmoid=False,
            loss_weight=1.0))

    def forward(self, mask_features: Tensor) -> Tensor:
        """Logits ``[B, num_classes + 1, h, w]`` at the features' size."""
        return self.cls(self.hidden(mask_features))

    def loss(self, logits: Tensor, gt_masks: List[Tensor],
             gt_labels: List[Tensor]) -> Tensor:
        """The loss over every pixel of every frame.

        Args:
            logits (Tensor): ``[B, num_classes + 1, h, w]`` from
                :meth:`forward`.
            gt_masks (list[Tensor]): per frame, ``[n, H, W]`` the sounding
                instances' masks.
            gt_labels (list[Tensor]): per frame, ``[n]`` their categories.
        """
        if not len(gt_masks) == len(gt_labels) == logits.shape[0]:
            raise ValueError(
                f'SoundingSegmentation.loss: {logits.shape[0]} frames of '
                f'logits, {len(gt_masks)} of masks, {len(gt_labels)} of '
                'labels')
        targets = torch.stack([
            category_targets(m.to(logits.device), lab, logits.shape[-2:],
                             self.num_classes)
            for m, lab in zip(gt_masks, gt_labels)
        ])
        # mmdet's cross_entropy takes [N, C] scores and [N] labels
        scores = logits.permute(0, 2, 3, 1).reshape(-1, logits.shape[1])
        return self.loss_seg(scores, targets.reshape(-1))
