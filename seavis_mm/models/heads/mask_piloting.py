# Copyright (c) seavis_mm contributors. All rights reserved.
"""Mask-piloted training of Mask2Former's decoder (MP-Former, Zhang et al.,
CVPR 2023).

Next to the matching queries, training feeds the decoder extra *piloted*
queries, one per ground-truth instance (in ``groups`` copies): each starts
from an embedding of the instance's class and, in every decoder layer,
cross-attends through the instance's own ground-truth mask (with point
noise) instead of the mask its previous layer predicted. Each piloted query
is supervised by its own instance, with no matching: class, mask and dice
losses at every decoder layer. So the decoder layers learn, from the first
iteration on, to refine a query that looks at the right pixels into that
object's class and full mask, which Hungarian matching teaches slowly and
inconsistently (a query's target can change from one iteration to the
next). The matching queries never see the piloted ones (self-attention
mask), so inference, which has no piloted queries, is unchanged and costs
nothing more.

mmdet has DN-DETR's box denoising (``CdnQueryGenerator``) for DINO, not
this mask form for Mask2Former; what is written here is the query
preparation and the fixed-assignment loss. The losses reuse the head's
``loss_cls`` / ``loss_mask`` / ``loss_dice`` and mmdet's point sampling as
``Mask2FormerHead._loss_by_feat_single`` does; that method cannot be called
as is because it matches predictions to targets itself.
"""
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn.functional as F
from mmcv.ops import point_sample
from mmdet.models.utils import get_uncertain_point_coords_with_randomness
from mmdet.utils import reduce_mean
from mmengine.structures import InstanceData
from torch import Tensor, nn


@dataclass
class PilotedQueries:
    """The piloted queries of one training batch, for
    :func:`mask2former_decode`, which appends each decoder layer's class
    and mask logits of them to ``cls_list`` and ``mask_list``.

    Attributes:
        query_feat (Tensor): ``[B, M, C]`` the queries' initial content.
        labels (Tensor): ``[B, M]`` the instance class each query must
            predict (the true one, also where the input label was noised).
        valid (Tensor): ``[B, M]`` False for padding slots (frames with
            fewer instances than the batch's most).
        gt_masks (Tensor): ``[B, M, H, W]`` the instance masks to predict.
        attn_masks (dict): per attention size ``(h, w)``, ``[B, M, h * w]``
            True where a query may not attend (mmdet's convention).
        self_attn_mask (Tensor): ``[Q + M, Q + M]`` True where a query may
            not attend: matching queries never see piloted ones, and groups
            never see each other.
        cls_list (list[Tensor]): filled by the decoder, ``[B, M, K + 1]``
            per decoder layer and the initial queries.
        mask_list (list[Tensor]): filled by the decoder, ``[B, M, h, w]``.
    """
    query_feat: Tensor
    labels: Tensor
    valid: Tensor
    gt_masks: Tensor
    attn_masks: Dict[Tuple[int, int], Tensor]
    self_attn_mask: Tensor
    cls_list: List[Tensor] = field(default_factory=list)
    mask_list: List[Tensor] = field(default_factory=list)

    @property
    def num_piloted(self) -> int:
        return self.query_feat.shape[1]


def piloted_attn_mask(gt_masks: Tensor, size: Tuple[int, int],
                      noise: float) -> Tensor:
    """Where each ground-truth mask lets its piloted query attend, at one
    attention size.

    Args:
        gt_masks (Tensor): ``[B, M, H, W]`` binary masks.
        size (tuple[int, int]): the memory level's ``(h, w)``.
        noise (float): MP-Former's point noise: every cell flips with
            probability ``noise * area / (h * w)``, the mask's share of the
            grid, so that a large and a small mask lose the same share of
            their cells on average.

    Returns:
        Tensor: ``[B, M, h * w]`` bool, True where the query may not
        attend. A cell any pixel of the mask falls in is open (area
        resize), so a thin object keeps its cells at 1/32.
    """
    b, m = gt_masks.shape[:2]
    if m == 0:
        return gt_masks.new_zeros((b, 0, size[0] * size[1]), dtype=bool)
    area = F.interpolate(
        gt_masks.flatten(0, 1).unsqueeze(1).float(), size,
        mode='area').view(b, m, -1)
    blocked = area <= 0
    if noise > 0:
        share = (~blocked).float().mean(-1, keepdim=True)
        flip = torch.rand_like(area) < noise * share
        blocked = blocked ^ flip
    return blocked


class MaskPiloting(nn.Module):
    """Builds the piloted queries and their losses (see the module
    docstring).

    Args:
        num_classes (int): The head's object classes.
        embed_dims (int): The decoder's query width.
        groups (int): Copies of every instance's piloted query, each with
            its own noise; groups do not see each other. Defaults to 1.
        mask_noise (float): Point noise of the attention masks
            (:func:`piloted_attn_mask`). Defaults to 0.2.
        label_noise (float): Probability that a query's input class is
            replaced by a random one (its target stays the true class).
            Defaults to 0.2.
        loss_weight (float): Factor on the piloted class, mask and dice
            losses (each already weighted as the head's own). Defaults
            to 1.0.
    """

    def __init__(self,
                 num_classes: int,
                 embed_dims: int,
                 groups: int = 1,
                 mask_noise: float = 0.2,
                 label_noise: float = 0.2,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        if int(groups) < 1:
            raise ValueError(f'mask_piloting.groups must be >= 1, got '
                             f'{groups}')
        for name, value in (('mask_noise', mask_noise),
                            ('label_noise', label_noise)):
            if not 0.0 <= float(value) <= 1.0:
                raise ValueError(f'mask_piloting.{name} must be in [0, 1], '
                                 f'got {value}')
        self.num_classes = int(num_classes)
        self.groups = int(groups)
        self.mask_noise = float(mask_noise)
        self.label_noise = float(label_noise)
        self.loss_weight = float(loss_weight)
        self.label_embed = nn.Embedding(num_classes, embed_dims)

    def prepare(self, gt_instances: List[InstanceData], num_queries: int,
                attn_sizes: List[Tuple[int, int]]) -> PilotedQueries:
        """The piloted queries of a batch.

        Args:
            gt_instances (list[InstanceData]): per frame, ``labels`` and
                ``masks`` (a ``[N, H, W]`` tensor, as
                ``Mask2FormerHead.preprocess_gt`` gives them).
            num_queries (int): The matching queries Q.
            attn_sizes (list[tuple[int, int]]): every attention size the
                decoder uses.

        Returns:
            PilotedQueries: with ``M = groups * max instances per frame``
            queries (M is 0 when no frame has an instance).
        """
        batch = len(gt_instances)
        counts = [len(gt.labels) for gt in gt_instances]
        per_group = max(counts) if counts else 0
        num = self.groups * per_group
        device = self.label_embed.weight.device
        labels = torch.full((batch, num), self.num_classes, dtype=torch.long,
                            device=device)
        valid = torch.zeros((batch, num), dtype=torch.bool, device=device)
        # frames of different sizes: masks padded at the bottom and right,
        # as the data preprocessor pads the images
        height = max([gt.masks.shape[-2] for gt in gt_instances] + [1])
        width = max([gt.masks.shape[-1] for gt in gt_instances] + [1])
        gt_masks = torch.zeros((batch, num, height, width), device=device)
        for i, gt in enumerate(gt_instances):
            n = counts[i]
            h, w = gt.masks.shape[-2:]
            for g in range(self.groups):
                lo = g * per_group
                labels[i, lo:lo + n] = gt.labels
                valid[i, lo:lo + n] = True
                gt_masks[i, lo:lo + n, :h, :w] = gt.masks.float()
        inputs = labels.clamp(max=self.num_classes - 1)
        if self.training and self.label_noise > 0:
            swap = torch.rand(labels.shape, device=device) < self.label_noise
            inputs = torch.where(
                swap, torch.randint_like(inputs, self.num_classes), inputs)
        # padding slots get a zero query and attend everywhere (an all
        # blocked row is opened by the decoder); nothing reads them
        query_feat = self.label_embed(inputs) * valid.unsqueeze(-1)
        noise = self.mask_noise if self.training else 0.0
        attn_masks = {
            s: piloted_attn_mask(gt_masks, s, noise)
            for s in dict.fromkeys(attn_sizes)
        }
        total = num_queries + num
        self_attn = torch.zeros((total, total), dtype=torch.bool,
                                device=device)
        # the matching queries never see a piloted one: inference has none
        self_attn[:num_queries, num_queries:] = True
        for g in range(self.groups):
            lo = num_queries + g * per_group
            hi = lo + per_group
            self_attn[lo:hi, num_queries:lo] = True
            self_attn[lo:hi, hi:] = True
        return PilotedQueries(query_feat, labels, valid, gt_masks,
                              attn_masks, self_attn)

    def loss(self, head: nn.Module, piloted: PilotedQueries,
             first_layer: int = 1) -> Dict[str, Tensor]:
        """Class, mask and dice losses of the piloted queries against their
        own instances, summed over the decoder layers from
        ``first_layer`` on.

        The initial queries (layer 0) have not looked at any pixel yet:
        their mask can only be a class-average one, so by default they are
        not supervised.

        Args:
            head (Mask2FormerHead): Its ``loss_cls``, ``loss_mask``,
                ``loss_dice``, ``class_weight``, ``num_points``,
                ``oversample_ratio`` and ``importance_sample_ratio``.
            piloted (PilotedQueries): After the decoder filled its lists.
            first_layer (int): The first supervised entry of the lists.

        Returns:
            dict: ``loss_pilot_cls``, ``loss_pilot_mask``,
            ``loss_pilot_dice``; zero (and still in the graph) for a batch
            with no instance, so that every iteration logs the same keys.
        """
        cls_list = piloted.cls_list[first_layer:]
        mask_list = piloted.mask_list[first_layer:]
        zero = sum(c.sum() for c in cls_list) * 0.0 + \
            sum(m.sum() for m in mask_list) * 0.0 + \
            self.label_embed.weight.sum() * 0.0
        out = dict(loss_pilot_cls=zero, loss_pilot_mask=zero,
                   loss_pilot_dice=zero)
        valid = piloted.valid
        if not bool(valid.any()):
            return out
        labels = piloted.labels[valid]
        targets = piloted.gt_masks[valid]
        class_weight = labels.new_tensor(head.class_weight, dtype=torch.float)
        num_masks = max(
            reduce_mean(targets.new_tensor([float(len(labels))])).item(), 1.0)
        for cls_scores, mask_preds in zip(cls_list, mask_list):
            cls_scores = cls_scores[valid]
            mask_preds = mask_preds[valid]
            out['loss_pilot_cls'] = out['loss_pilot_cls'] + head.loss_cls(
                cls_scores, labels, avg_factor=class_weight[labels].sum())
            with torch.no_grad():
                points = get_uncertain_point_coords_with_randomness(
                    mask_preds.unsqueeze(1), None, head.num_points,
                    head.oversample_ratio, head.importance_sample_ratio)
                point_targets = point_sample(
                    targets.unsqueeze(1), points).squeeze(1)
            point_preds = point_sample(mask_preds.unsqueeze(1),
                                       points).squeeze(1)
            out['loss_pilot_dice'] = out['loss_pilot_dice'] + head.loss_dice(
                point_preds, point_targets, avg_factor=num_masks)
            out['loss_pilot_mask'] = out['loss_pilot_mask'] + head.loss_mask(
                point_preds.reshape(-1),
                point_targets.reshape(-1),
                avg_factor=num_masks * head.num_points)
        return {k: v * self.loss_weight for k, v in out.items()}
