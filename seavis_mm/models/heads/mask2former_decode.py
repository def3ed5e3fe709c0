# Copyright (c) seavis_mm contributors. All rights reserved.
"""Mask2Former's transformer decoder loop, for any mmdet
:class:`~mmdet.models.dense_heads.Mask2FormerHead`, with the option of
computing only the last layer's full-resolution masks.

mmdet's ``Mask2FormerHead._forward_head`` computes every decoder layer's mask
logits at the mask features' resolution (1/4 of the frame) with
``einsum('bqc,bchw->bqhw')`` and then resizes them bilinearly to the size of
the next layer's attention mask (1/32 to 1/8). Training needs every layer's
full-resolution logits (deep supervision); inference uses only the last
layer's, the others only as attention masks. Both the einsum (linear over
channels, per pixel) and bilinear resizing (linear over pixels, the same
weights for every channel) are linear maps on different axes, so they
commute: resizing the mask *features* once per attention size and taking
the einsum there gives the same attention logits with 16 to 64 times fewer
products. At R50 360p those einsums and resizes were about a third of the
head decoder's time (docs/en/benchmarks.md).

The two orders round differently (float32, about 1e-6 relative), so a pixel
whose logit is within that of 0 can land on the other side of the attention
mask's threshold; :func:`mask2former_decode` with ``all_masks=True`` is
mmdet's computation, unchanged.
"""
from typing import Dict, List, Optional, Tuple, Union

import torch
import torch.nn.functional as F
from mmdet.models.dense_heads import Mask2FormerHead
from torch import Tensor

from .hybrid_branch import HybridQueries
from .mask_piloting import PilotedQueries


def _decoder_inputs(head: Mask2FormerHead, multi_scale_memorys: List[Tensor]
                    ) -> Tuple[List[Tensor], List[Tensor]]:
    """Per level, the projected, level-embedded memory ``[B, HW, C]`` and its
    positional encoding (mmdet's ``Mask2FormerHead.forward``)."""
    inputs, positions = [], []
    batch_size = multi_scale_memorys[0].shape[0]
    for i in range(head.num_transformer_feat_level):
        decoder_input = head.decoder_input_projs[i](multi_scale_memorys[i])
        decoder_input = decoder_input.flatten(2).permute(0, 2, 1)
        level_embed = head.level_embed.weight[i].view(1, 1, -1)
        decoder_input = decoder_input + level_embed
        mask = decoder_input.new_zeros(
            (batch_size, ) + multi_scale_memorys[i].shape[-2:],
            dtype=torch.bool)
        pos = head.decoder_positional_encoding(mask)
        positions.append(pos.flatten(2).permute(0, 2, 1))
        inputs.append(decoder_input)
    return inputs, positions


def _attn_mask(head: Mask2FormerHead, mask_logits: Tensor) -> Tensor:
    """mmdet's attention mask from mask logits already at the target size,
    True where a query may not attend: ``[B * heads, Q, h * w]``, or
    ``[Q, h * w]`` for one frame. PyTorch's attention broadcasts a 2-D mask
    over the batch and the heads, so a frame's mask is not copied once per
    head (in an ONNX graph the copies and their ``Where`` were 4% of an R50
    frame)."""
    if mask_logits.shape[0] == 1:
        attn_mask = mask_logits[0].flatten(1)
    else:
        attn_mask = mask_logits.flatten(2).unsqueeze(1).repeat(
            (1, head.num_heads, 1, 1)).flatten(0, 1)
    return (attn_mask.sigmoid() < 0.5).detach()


def _query_outputs(head: Mask2FormerHead, decoder_out: Tensor
                   ) -> Tuple[Tensor, Tensor, Tensor]:
    """``_forward_head``'s post-normed queries, class logits and mask
    embeddings."""
    normed = head.transformer_decoder.post_norm(decoder_out)
    return normed, head.cls_embed(normed), head.mask_embed(normed)


def _mask_logits(mask_embed: Tensor, features: Tensor) -> Tensor:
    """Mask logits ``[B, Q, h, w]`` at the size of ``features``."""
    return torch.einsum('bqc,bchw->bqhw', mask_embed, features)


def _class_and_mask_logits(head: Mask2FormerHead, decoder_out: Tensor,
                           features: Tensor) -> Tuple[Tensor, Tensor]:
    """``_forward_head``'s class logits and mask logits at the size of
    ``features`` (the mask features, or them resized to an attention mask's
    size), without its resize to the attention mask."""
    _, cls_pred, mask_embed = _query_outputs(head, decoder_out)
    return cls_pred, _mask_logits(mask_embed, features)


def _pilot_attn_mask(attn_mask: Tensor, piloted: Tensor,
                     batch_size: int) -> Tensor:
    """mmdet's attention mask ``[B * heads, Q + M, hw]`` with the last M
    rows replaced by the piloted queries' ``[B, M, hw]``."""
    num = piloted.shape[1]
    out = attn_mask.view(batch_size, -1, *attn_mask.shape[-2:]).clone()
    out[:, :, -num:] = piloted.unsqueeze(1)
    return out.flatten(0, 1)


def _take_extra(extra: Union[PilotedQueries, HybridQueries],
                cls_pred: Tensor, mask_pred: Tensor,
                num_queries: int) -> Tuple[Tensor, Tensor]:
    """Append the extra queries' rows (those after the first
    ``num_queries``) of a layer's class and mask logits to ``extra``'s
    ``cls_list`` / ``mask_list`` (:class:`PilotedQueries`,
    :class:`HybridQueries`); return the matching queries' rows."""
    extra.cls_list.append(cls_pred[:, num_queries:])
    extra.mask_list.append(mask_pred[:, num_queries:])
    return cls_pred[:, :num_queries], mask_pred[:, :num_queries]


def mask2former_decode(head: Mask2FormerHead, mask_features: Tensor,
                       multi_scale_memorys: List[Tensor],
                       all_masks: bool = True,
                       piloted: Optional[PilotedQueries] = None,
                       hybrid: Optional[HybridQueries] = None
                       ) -> Tuple[List[Tensor], List[Optional[Tensor]],
                                  Tensor]:
    """mmdet's Mask2Former transformer decoder after the pixel decoder.

    Args:
        head (Mask2FormerHead): the head whose layers to run. A head with a
            ``query_loc`` (:class:`QueryLocationPrior`) adds each query's
            spatial prior to its mask logits and moves its point after every
            layer (and, with ``pos_query``, adds the point's embedding to
            the query position before every layer; with ``votes``, the
            prior and the step use the pixels' centre votes, computed once
            and resized bilinearly to each attention size); then the
            attention masks always come from the resized mask features, so
            that both values of ``all_masks`` give the same outputs.
        mask_features (Tensor): ``[B, C, H, W]`` (1/4 of the frame).
        multi_scale_memorys (list[Tensor]): the pixel decoder's memorys, low
            to high resolution.
        all_masks (bool): True: every layer's full-resolution mask logits,
            exactly as mmdet (training's deep supervision needs them).
            False: only the last layer's; the other entries of the mask list
            are None and the attention masks come from mask features resized
            once per attention size (see the module docstring).
        piloted (PilotedQueries, optional): training's mask-piloted
            queries (:class:`MaskPiloting`), decoded after the matching
            ones: their attention masks are their ground-truth masks, the
            matching queries do not see them, and their per-layer class and
            mask logits go to ``piloted.cls_list`` / ``mask_list``, not to
            the returned lists. Needs ``all_masks`` and no ``query_loc``.
        hybrid (HybridQueries, optional): training's one-to-many queries
            (:class:`HybridBranch`), decoded after the one-to-one ones
            behind a self-attention mask that keeps the groups apart (with
            a ``query_loc``, from their own reference points); their
            per-layer class and mask logits go to ``hybrid.cls_list`` /
            ``mask_list``, not to the returned lists. Needs ``all_masks``;
            not with ``piloted``.

    Returns:
        tuple: ``cls_pred_list``, ``mask_pred_list`` (one per decoder layer
        and the initial queries) and the last ``query_feat`` ``[B, Q, C]``.
    """
    batch_size = mask_features.shape[0]
    decoder_inputs, decoder_positions = _decoder_inputs(
        head, multi_scale_memorys)
    query_feat = head.query_feat.weight.unsqueeze(0).repeat(
        (batch_size, 1, 1))
    query_embed = head.query_embed.weight.unsqueeze(0).repeat(
        (batch_size, 1, 1))
    loc = getattr(head, 'query_loc', None)
    refs = loc.initial(batch_size) if loc is not None else None
    # the pixels' centre votes (QueryLocationPrior votes), once per frame
    votes = loc.pixel_votes(mask_features) if loc is not None else None
    num_queries = query_feat.shape[1]
    self_attn_mask = None
    if piloted is not None and piloted.num_piloted > 0:
        if not all_masks or loc is not None:
            raise ValueError('mask2former_decode: piloted queries need '
                             'all_masks=True and a head without query_loc')
        query_feat = torch.cat([query_feat, piloted.query_feat], 1)
        # no learned position: a piloted query is placed by its mask
        query_embed = torch.cat(
            [query_embed, torch.zeros_like(piloted.query_feat)], 1)
        self_attn_mask = piloted.self_attn_mask
    else:
        piloted = None
    if hybrid is not None:
        if not all_masks or piloted is not None:
            raise ValueError('mask2former_decode: hybrid queries need '
                             'all_masks=True and no piloted queries')
        if (loc is None) != (hybrid.refs is None):
            raise ValueError('mask2former_decode: hybrid queries have '
                             'reference points exactly when the head has '
                             'a query_loc')
        query_feat = torch.cat([query_feat, hybrid.query_feat], 1)
        query_embed = torch.cat([query_embed, hybrid.query_embed], 1)
        if refs is not None:
            refs = torch.cat([refs, hybrid.refs], 1)
        self_attn_mask = hybrid.self_attn_mask
    small: Dict[Tuple[int, int], Tensor] = {}

    def attn_size(layer: int) -> Tuple[int, int]:
        level = layer % head.num_transformer_feat_level
        return tuple(multi_scale_memorys[level].shape[-2:])

    small_votes: Dict[Tuple[int, int], Tensor] = {}

    def resized(size: Tuple[int, int]) -> Tensor:
        if size not in small:
            small[size] = F.interpolate(
                mask_features, size, mode='bilinear', align_corners=False)
        return small[size]

    def votes_at(size: Tuple[int, int]) -> Optional[Tensor]:
        if votes is None or tuple(votes.shape[-2:]) == size:
            return votes
        if size not in small_votes:
            small_votes[size] = F.interpolate(
                votes, size, mode='bilinear', align_corners=False)
        return small_votes[size]

    def run_head(out: Tensor, layer: int, last: bool
                 ) -> Tuple[Tensor, Optional[Tensor], Optional[Tensor]]:
        if all_masks:
            return head._forward_head(out, mask_features, attn_size(layer))
        if last:
            # the output layer: full-resolution masks, no attention mask
            return (*_class_and_mask_logits(head, out, mask_features), None)
        cls_pred, logits = _class_and_mask_logits(head, out,
                                                  resized(attn_size(layer)))
        return cls_pred, None, _attn_mask(head, logits)

    def run_head_loc(out: Tensor, layer: int, last: bool, refs: Tensor
                     ) -> Tuple[Tensor, Optional[Tensor], Optional[Tensor],
                                Tensor]:
        normed, cls_pred, mask_embed = _query_outputs(head, out)
        scales = loc.scales(normed)

        def logits_with_prior(features: Tensor) -> Tensor:
            size = tuple(features.shape[-2:])
            return _mask_logits(mask_embed, features) + loc.prior(
                refs, scales, size, votes_at(size))

        mask_pred = logits_with_prior(mask_features) \
            if all_masks or last else None
        if last:
            return cls_pred, mask_pred, None, refs
        size = attn_size(layer)
        logits = logits_with_prior(resized(size))
        return (cls_pred, mask_pred, _attn_mask(head, logits),
                loc.shift(refs, logits, votes_at(size)))

    def step(out: Tensor, layer: int, last: bool):
        nonlocal refs
        if piloted is not None:
            cls_pred, mask_pred, attn_mask = run_head(out, layer, last)
            attn_mask = _pilot_attn_mask(
                attn_mask, piloted.attn_masks[attn_size(layer)], batch_size)
            return (*_take_extra(piloted, cls_pred, mask_pred, num_queries),
                    attn_mask)
        if loc is None:
            cls_pred, mask_pred, attn_mask = run_head(out, layer, last)
        else:
            cls_pred, mask_pred, attn_mask, refs = run_head_loc(
                out, layer, last, refs)
        if hybrid is not None:
            # both groups' attention masks stay: each query attends through
            # its own mask
            cls_pred, mask_pred = _take_extra(hybrid, cls_pred, mask_pred,
                                              num_queries)
        return cls_pred, mask_pred, attn_mask

    num_layers = head.num_transformer_decoder_layers
    cls_pred, mask_pred, attn_mask = step(query_feat, 0, num_layers == 0)
    cls_pred_list, mask_pred_list = [cls_pred], [mask_pred]
    for i in range(num_layers):
        level_idx = i % head.num_transformer_feat_level
        # if a mask is all True (all background), then set it all False.
        mask_sum = (attn_mask.sum(-1) != attn_mask.shape[-1]).unsqueeze(-1)
        attn_mask = attn_mask & mask_sum
        # the reference points' share of the query position (pos_query)
        loc_pos = loc.position(refs) if loc is not None else None
        query_feat = head.transformer_decoder.layers[i](
            query=query_feat,
            key=decoder_inputs[level_idx],
            value=decoder_inputs[level_idx],
            query_pos=query_embed
            if loc_pos is None else query_embed + loc_pos,
            key_pos=decoder_positions[level_idx],
            cross_attn_mask=attn_mask,
            self_attn_mask=self_attn_mask,
            query_key_padding_mask=None,
            key_padding_mask=None)
        cls_pred, mask_pred, attn_mask = step(query_feat, i + 1,
                                              i + 1 == num_layers)
        cls_pred_list.append(cls_pred)
        mask_pred_list.append(mask_pred)
    return cls_pred_list, mask_pred_list, query_feat[:, :num_queries]
