# Copyright (c) seavis_mm contributors. All rights reserved.
"""A one-to-many query branch beside Mask2Former's one-to-one queries, for
training only (H-DETR's hybrid matching, Jia et al., CVPR 2023).

Mask2Former's Hungarian matching gives each ground-truth instance one
positive query per frame, and the query that draws it a second time is
trained as "no object". SeaVIS's ``one_to_many`` option instead gives every
query that draws an instance the instance's targets, which trains more
positives but makes duplicates score as instances, so the tracker needs a
tight mask NMS, and at 1,600 iterations that NMS was the largest loss of
sounding objects: a look-alike's mask that spills over the object suppresses
it (configs/seavis/README.md, "A mask loss on each query's look-alikes").

The hybrid branch keeps both: ``num_queries`` extra queries go through the
same decoder layers in training, and are matched by the Hungarian matcher to
the frame's ground truth repeated ``repeat`` times, so each instance has
``repeat`` positives there; their losses are Mask2Former's class, mask and
dice losses (the head's own, with mmdet's point sampling). A self-attention
mask keeps the two groups from seeing each other, so the one-to-one queries
are trained exactly as before, while the decoder layers, the pixel decoder
and the backbone they share also learn from the extra positives. Inference
decodes the one-to-one queries only: no duplicates, no extra cost, and the
tracker and every export are unchanged.

mmdet has hybrid matching for none of its DETRs (H-DETR's code is a fork of
Deformable DETR); what is written here is the extra queries, the mask and
the repeated targets. The matching and the losses are mmdet's
``Mask2FormerHead.loss_by_feat``, called on the branch's outputs.
"""
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import torch
from mmengine.structures import InstanceData
from torch import Tensor, nn

from .query_locations import grid_ref_logits, ref_points


@dataclass
class HybridQueries:
    """The one-to-many queries of one training batch, for
    :func:`mask2former_decode`, which decodes them after the one-to-one
    queries and appends each layer's class and mask logits of them to
    ``cls_list`` and ``mask_list``.

    Attributes:
        query_feat (Tensor): ``[B, M, C]`` the queries' initial content.
        query_embed (Tensor): ``[B, M, C]`` their learned positions.
        refs (Tensor, optional): ``[B, M, 2]`` their starting reference
            points, for a head with ``query_loc_prior``.
        self_attn_mask (Tensor): ``[Q + M, Q + M]`` True where a query may
            not attend: neither group sees the other.
        cls_list (list[Tensor]): filled by the decoder, ``[B, M, K + 1]``
            per decoder layer and the initial queries.
        mask_list (list[Tensor]): filled by the decoder, ``[B, M, h, w]``.
    """
    query_feat: Tensor
    query_embed: Tensor
    refs: Optional[Tensor]
    self_attn_mask: Tensor
    cls_list: List[Tensor] = field(default_factory=list)
    mask_list: List[Tensor] = field(default_factory=list)


def group_attn_mask(num_one: int, num_many: int,
                    device: Optional[torch.device] = None) -> Tensor:
    """The self-attention mask ``[Q + M, Q + M]`` of two query groups that
    must not see each other (True: may not attend)."""
    total = num_one + num_many
    mask = torch.ones((total, total), dtype=torch.bool, device=device)
    mask[:num_one, :num_one] = False
    mask[num_one:, num_one:] = False
    return mask


def repeat_instances(gt: InstanceData, repeat: int) -> InstanceData:
    """``gt``'s ``labels`` and ``masks`` repeated ``repeat`` times (H-DETR's
    one-to-many targets: the Hungarian matching then gives each instance
    ``repeat`` queries)."""
    return InstanceData(
        labels=gt.labels.repeat(repeat),
        masks=gt.masks.repeat(repeat, *([1] * (gt.masks.dim() - 1))))


class HybridBranch(nn.Module):
    """The one-to-many query group of :class:`SeaVISHead` (``hybrid``).

    Args:
        embed_dims (int): The decoder's width.
        num_queries (int): Queries in the branch (H-DETR: several times the
            one-to-one queries). Defaults to 60.
        repeat (int): How many times each ground-truth instance is repeated
            for the branch's matching. Defaults to 3.
        loss_weight (float): Scales every loss of the branch (H-DETR: 1).
            Defaults to 1.0.
        with_refs (bool): Give each query a learned reference point, grid
            initialised as :class:`QueryLocationPrior`'s (the head sets it
            when it has ``query_loc_prior``). Defaults to False.
    """

    def __init__(self,
                 embed_dims: int,
                 num_queries: int = 60,
                 repeat: int = 3,
                 loss_weight: float = 1.0,
                 with_refs: bool = False) -> None:
        super().__init__()
        if num_queries < 1 or repeat < 1:
            raise ValueError('HybridBranch: num_queries and repeat must be '
                             f'>= 1, got {num_queries}, {repeat}')
        if loss_weight <= 0:
            raise ValueError('HybridBranch: loss_weight must be > 0, got '
                             f'{loss_weight}')
        self.num_queries = int(num_queries)
        self.repeat = int(repeat)
        self.loss_weight = float(loss_weight)
        self.query_feat = nn.Embedding(num_queries, embed_dims)
        self.query_embed = nn.Embedding(num_queries, embed_dims)
        self.ref_logits = grid_ref_logits(num_queries) if with_refs \
            else None

    def prepare(self, batch_size: int, num_one: int) -> HybridQueries:
        """The branch's queries for a batch of ``batch_size`` frames
        decoded beside ``num_one`` one-to-one queries."""
        weight = self.query_feat.weight
        refs = ref_points(self.ref_logits, batch_size) \
            if self.ref_logits is not None else None
        return HybridQueries(
            query_feat=weight.unsqueeze(0).expand(batch_size, -1, -1),
            query_embed=self.query_embed.weight.unsqueeze(0).expand(
                batch_size, -1, -1),
            refs=refs,
            self_attn_mask=group_attn_mask(num_one, self.num_queries,
                                           weight.device))

    def loss(self, head: nn.Module, queries: HybridQueries,
             batch_gt_instances: List[InstanceData],
             batch_img_metas: List[dict]) -> Dict[str, Tensor]:
        """Mask2Former's losses on the branch's outputs against the
        repeated ground truth, named ``o2m.<mmdet's name>``.

        Args:
            head (Mask2FormerHead): the head whose ``loss_by_feat`` (its
                matcher, losses and point sampling) to use.
            queries (HybridQueries): decoded, with its lists filled.
            batch_gt_instances (list[InstanceData]): the frames' ground
                truth, as ``preprocess_gt`` gives it.
            batch_img_metas (list[dict]): the frames' meta.
        """
        if not queries.cls_list:
            raise RuntimeError('HybridBranch.loss: the queries were not '
                               'decoded (mask2former_decode hybrid=)')
        repeated = [
            repeat_instances(gt, self.repeat) for gt in batch_gt_instances
        ]
        # mmdet's target building sizes its label and weight tensors by
        # head.num_queries (Mask2FormerHead._get_targets_single): the
        # branch's count while its outputs are matched
        num_one, head.num_queries = head.num_queries, self.num_queries
        try:
            losses = head.loss_by_feat(
                torch.stack(queries.cls_list),
                torch.stack(queries.mask_list), repeated, batch_img_metas)
        finally:
            head.num_queries = num_one
        return {
            f'o2m.{name}': value * self.loss_weight
            for name, value in losses.items()
        }
