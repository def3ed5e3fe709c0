# Copyright (c) seavis_mm contributors. All rights reserved.
"""Where each pixel's instance is: a per-pixel vote for its instance's
centre, to tell look-alike instances apart by place.

Half of the sounding objects no query localises on ToyAVIS are drawn in one
mask with a sounding look-alike (the recall funnel's ``merged_sounding``,
docs/en/metrics.md). Two look-alikes have the same mask features, and a
query's mask is a dot product with them. The query reference points
(:class:`~seavis_mm.models.heads.query_locations.QueryLocationPrior`) put a
prior ``-c_q |x - r_q|^2`` on a query's mask logits, which separated
look-alikes (33-41% of the misses merged instead of 55-60%) but also cuts
the rim of any object larger than the prior: ``c_q`` has to stay small, and
a look-alike next door loses little.

Here the prior is taken on where a pixel *votes* its instance's centre is,
not on where the pixel is, as in Panoptic-DeepLab's centre offsets and
Neven et al.'s spatial embeddings: every pixel of one instance votes (about)
the same point, so the prior is flat over the whole instance, whatever its
size, and drops on the look-alike, whose pixels vote its own centre. The
votes are ``x + offset(x)`` from a small conv head on the mask features,
trained with an L1 loss to the centroid of the instance a pixel belongs to
(background pixels have no target). The head's last conv starts at zero, so
an untrained head votes the pixel's own position and the prior is the
reference points' prior.

mmdet has no centre-offset head (Panoptic-DeepLab is in Detectron2 only),
so it is written here.
"""
from typing import List, Tuple

import torch
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from torch import Tensor, nn


def pixel_axes(size, like: Tensor) -> Tuple[Tensor, Tensor]:
    """Pixel centres of an ``h x w`` map in frame-normalised coordinates,
    the coordinates of
    :class:`~seavis_mm.models.heads.query_locations.QueryLocationPrior`:
    ``x [w]`` and ``y [h]``."""
    h, w = size
    x = (torch.arange(w, device=like.device, dtype=like.dtype) + 0.5) / w
    y = (torch.arange(h, device=like.device, dtype=like.dtype) + 0.5) / h
    return x, y


def pixel_grid(size, like: Tensor) -> Tensor:
    """:func:`pixel_axes` as a ``[2, h, w]`` (x, y) grid."""
    h, w = size
    x, y = pixel_axes(size, like)
    return torch.stack([x.view(1, -1).expand(h, w),
                        y.view(-1, 1).expand(h, w)])


def centre_targets(gt_masks: Tensor, size) -> Tensor:
    """Each pixel's instance centre at ``size``: ``[2, h, w]`` (x, y,
    frame-normalised), NaN on background.

    Args:
        gt_masks (Tensor): ``[n, H, W]`` one frame's instance masks (bool
            or 0/1), disjoint as in AVISeg (each a visible part).
        size (tuple[int, int]): The votes' ``(h, w)``.

    Returns:
        Tensor: ``[2, h, w]`` float; a pixel of ``size`` belongs to the
        instance that covers most of it, if any covers half of it.
    """
    h, w = size
    out = gt_masks.new_full((2, h, w), float('nan'), dtype=torch.float32)
    if len(gt_masks) == 0:
        return out
    masks = gt_masks.float()
    big_h, big_w = masks.shape[-2:]
    grid = pixel_grid((big_h, big_w), masks)  # centroids at full size
    area = masks.sum((-2, -1)).clamp(min=1)
    centres = torch.einsum('nhw,chw->nc', masks, grid) / area[:, None]
    idx, fg = pixel_owners(masks, size)
    out[:, fg] = centres[idx[fg]].t()
    return out


def pixel_owners(gt_masks: Tensor, size) -> Tuple[Tensor, Tensor]:
    """Which instance each pixel of an ``h x w`` map belongs to: the one
    that covers most of it, if any covers half of it.

    Args:
        gt_masks (Tensor): ``[n, H, W]`` (n >= 1) one frame's masks.
        size (tuple[int, int]): ``(h, w)``.

    Returns:
        tuple[Tensor, Tensor]: the instance index ``[h, w]`` (long) and
        whether a pixel has one ``[h, w]`` (bool).
    """
    cover = F.interpolate(gt_masks.float()[None], tuple(size),
                          mode='area')[0]
    best, idx = cover.max(0)
    return idx, best >= 0.5


def hidden_conv(in_channels: int, hidden_channels: int) -> ConvModule:
    """The 3x3 conv, GroupNorm (8 groups) and ReLU that the dense heads on
    the mask features (:class:`CenterVotes`, ``SoundingSegmentation``)
    put before their 1x1 output conv."""
    return ConvModule(
        in_channels,
        hidden_channels,
        3,
        padding=1,
        norm_cfg=dict(type='GN', num_groups=8),
        act_cfg=dict(type='ReLU'))


class CenterVotes(nn.Module):
    """Per-pixel votes for the centre of the pixel's instance.

    Args:
        in_channels (int): The mask features' channels.
        hidden_channels (int): Width of the hidden 3x3 conv. Defaults to 64.
        loss_weight (float): Weight of the L1 loss on the votes.
            Defaults to 10 (offsets are a tenth of the frame or less, so the
            weighted loss starts near 1, as the mask losses).
    """

    def __init__(self,
                 in_channels: int,
                 hidden_channels: int = 64,
                 loss_weight: float = 10.0) -> None:
        super().__init__()
        if loss_weight < 0:
            raise ValueError('CenterVotes: loss_weight must be >= 0, got '
                             f'{loss_weight}')
        self.loss_weight = float(loss_weight)
        self.hidden = hidden_conv(in_channels, hidden_channels)
        # a plain conv, zeroed: no mmengine init touches it, and an
        # untrained head votes each pixel's own position
        self.offset = nn.Conv2d(hidden_channels, 2, 1)
        nn.init.zeros_(self.offset.weight)
        nn.init.zeros_(self.offset.bias)

    def forward(self, mask_features: Tensor) -> Tensor:
        """The votes ``[B, 2, h, w]`` (x, y, frame-normalised) at the mask
        features' size."""
        offset = self.offset(self.hidden(mask_features))
        return pixel_grid(mask_features.shape[-2:], offset)[None] + offset

    def loss(self, votes: Tensor, gt_masks: List[Tensor]) -> Tensor:
        """Weighted L1 from each instance pixel's vote to its instance's
        centroid, averaged over the instance pixels of the batch (zero, with
        a gradient, when there are none).

        Args:
            votes (Tensor): ``[B, 2, h, w]`` from :meth:`forward`.
            gt_masks (list[Tensor]): per frame, ``[n, H, W]``.
        """
        if len(gt_masks) != votes.shape[0]:
            raise ValueError(f'CenterVotes.loss: {votes.shape[0]} frames of '
                             f'votes, {len(gt_masks)} of masks')
        targets = torch.stack([
            centre_targets(m.to(votes.device), votes.shape[-2:])
            for m in gt_masks
        ]).to(votes.dtype)
        fg = ~torch.isnan(targets[:, 0])
        if not fg.any():
            return votes.sum() * 0.0
        diff = (votes - torch.nan_to_num(targets)).abs().sum(1)
        return self.loss_weight * diff[fg].mean()
