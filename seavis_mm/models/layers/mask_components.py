# Copyright (c) seavis_mm contributors. All rights reserved.
"""Split a query's mask into its connected components, each scored as an
instance of its own.

Two instances of one category look alike, so they get nearly the same mask
features, and a Mask2Former query that matches one draws both: on ToyAVIS,
where the objects of one category sound together, about 60% of the sounding
objects that no query localises are drawn in one mask with a sounding
look-alike (the recall funnel's ``merged_sounding``,
docs/en/metrics.md). Such a mask is two separate blobs. Split at inference,
each blob becomes a candidate, scored as Mask2Former scores a query (class
probability times the mean mask probability inside it) but over its own
pixels, so a faint stray blob falls under the tracker's score threshold
while a second object the query draws as firmly as the first passes it. The
parts keep their query's embeddings (the tracker tells them apart by where
they are: ``SoundAwareTracker(mask_iou_weight=...)``).

A connected-component split is what instance segmentation by grouping does
(SOLO's and Panoptic-DeepLab's post-processing keep one component; here
every large one is kept). Neither mmdet nor mmcv has it for tensors, so it
is done with :func:`scipy.ndimage.label` on the candidates' masks only.
"""
from typing import Tuple

import numpy as np
import torch
from scipy import ndimage
from torch import Tensor


def check_min_area_frac(value: float, where: str) -> None:
    """Refuse a ``min_area_frac`` outside (0, 0.5]: two parts of a mask
    need at least that share each."""
    if not 0.0 < float(value) <= 0.5:
        raise ValueError(f'{where}: min_area_frac must be in (0, 0.5] (two '
                         f'parts at least), got {value}')


def split_mask_components(
        probs: Tensor,
        binary: Tensor,
        cls_scores: Tensor,
        min_area_frac: float = 0.2,
        min_pixels: int = 4) -> Tuple[Tensor, Tensor, Tensor]:
    """Split each mask into its large connected components.

    A mask is split when at least two of its 8-connected components each
    have at least ``min_area_frac`` of its area and ``min_pixels`` pixels;
    then every such component becomes a mask of its own (the largest keeps
    the query's row) and the smaller components are dropped. Other masks are
    kept as they are.

    Args:
        probs (Tensor): ``[Q, H, W]`` mask probabilities.
        binary (Tensor): ``[Q, H, W]`` bool masks (``probs`` thresholded).
        cls_scores (Tensor): ``[Q]`` class probabilities; a query with
            score 0 is never split (it was not upsampled).
        min_area_frac (float): Smallest share of the mask a component needs
            to be kept as an instance.
        min_pixels (int): Smallest component kept, in pixels.

    Returns:
        tuple[Tensor, Tensor, Tensor]: ``masks [N, H, W]`` (bool; N >= Q,
        the first Q rows are the queries'), ``scores [N]`` (class
        probability x the mean probability inside each mask, Mask2Former's
        instance score) and ``query_index [N]`` (long: the query each row
        comes from).
    """
    check_min_area_frac(min_area_frac, 'split_mask_components')
    binary = binary.bool()
    masks = binary.clone()
    parts, part_query = [], []
    structure = np.ones((3, 3), dtype=bool)  # 8-connectivity
    for q in torch.nonzero(cls_scores > 0).squeeze(1).tolist():
        mask = binary[q].cpu().numpy()
        labels, n = ndimage.label(mask, structure=structure)
        if n < 2:
            continue
        areas = np.bincount(labels.ravel())[1:]
        floor = max(min_pixels, min_area_frac * areas.sum())
        large = [
            i + 1 for i in np.argsort(-areas, kind='stable')
            if areas[i] >= floor
        ]
        if len(large) < 2:
            continue
        comps = torch.from_numpy(
            labels[None] == np.array(large)[:, None, None]).to(masks.device)
        masks[q] = comps[0]
        parts.append(comps[1:])
        part_query += [q] * (len(large) - 1)
    query_index = torch.arange(len(binary), device=binary.device)
    if parts:
        masks = torch.cat([masks] + parts)
        query_index = torch.cat([
            query_index,
            torch.tensor(part_query, dtype=torch.long, device=binary.device)
        ])
    inside = probs[query_index] * masks
    mask_scores = inside.flatten(1).sum(1) / (masks.flatten(1).sum(1) + 1e-6)
    return masks, cls_scores[query_index] * mask_scores, query_index
