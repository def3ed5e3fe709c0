# Copyright (c) seavis_mm contributors. All rights reserved.
r"""Audio-Guided Contrastive Learning (AGCL) losses.

Notation: ``e`` are L2-normalised query (instance) embeddings, ``p`` the
L2-normalised audio anchors, ``s(x, y) = <x, y> / tau``. For an anchor ``p``,
a positive ``e+`` and negatives ``{e-}`` the InfoNCE term is

.. math::
    \ell = -\log \frac{\exp s(p, e^+)}
        {\exp s(p, e^+) + \sum_{e^-} \exp s(p, e^-)}.

Frame level (:class:`AGCLFrameLoss`): per frame, the frame's audio anchor
``p_t``; positives are the queries matched (Hungarian) to the frame's sounding
ground truth; negatives are all other queries of the frame (background, and
any query firing on a visible but silent object). The loss is the mean of
``l`` over the positives of a frame, averaged over frames that have at least
one positive.

Instance level (:class:`AGCLInstanceLoss`): per ground-truth instance ``k``
of a clip, the anchor is the mean of ``p_t`` over the frames where ``k``
sounds; positives are ``k``'s matched embeddings in those frames; in each
frame of the clip where ``k`` is null (silent or absent), the negative is the
query embedding most similar (cosine) to ``k``'s mean sounding embedding, i.e.
the query the tracker would associate with ``k`` there. The selection is not
differentiated (argmax), the selected embedding is. Instances without a
silent frame in the clip have no negative and are skipped. With
``exclude_cosounding=True`` the argmax runs only over the queries that are
not matched to another instance in that frame: a query matched to an
instance sounding in the same frame is a positive of the frame-level loss
(pulled to the same anchor), and must not be pushed as ``k``'s silent
look-alike. ``False`` keeps the original selection over all ``Q`` queries
(the ablation).
"""

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from seavis_mm.registry import MODELS


def _info_nce(pos_logits: Tensor, neg_logits: Tensor) -> Tensor:
    """Mean InfoNCE over positives that share the same negatives.

    Args:
        pos_logits (Tensor): ``[P]`` anchor-positive logits.
        neg_logits (Tensor): ``[M]`` anchor-negative logits (M may be 0).

    Returns:
        Tensor: scalar.
    """
    neg = neg_logits.unsqueeze(0).expand(pos_logits.numel(), -1)
    logits = torch.cat([pos_logits.unsqueeze(1), neg], dim=1)
    return (torch.logsumexp(logits, dim=1) - pos_logits).mean()


def agcl_frame_loss(embeds: Tensor, anchors: Tensor, pos_mask: Tensor,
                    temperature: float) -> Tensor:
    """Frame-level AGCL.

    Args:
        embeds (Tensor): ``[F, Q, D]`` normalised query embeddings.
        anchors (Tensor): ``[F, D]`` normalised audio anchors.
        pos_mask (Tensor): ``[F, Q]`` bool, True for matched (sounding)
            queries.
        temperature (float): tau.

    Returns:
        Tensor: scalar (0 with a gradient path when no frame has a
        positive).
    """
    logits = torch.einsum('fqd,fd->fq', embeds, anchors) / temperature
    losses = []
    for f in range(logits.shape[0]):
        pos = pos_mask[f]
        if pos.any():
            losses.append(_info_nce(logits[f][pos], logits[f][~pos]))
    if not losses:
        return logits.sum() * 0
    return torch.stack(losses).mean()


def agcl_instance_loss(embeds: Tensor,
                       anchors: Tensor,
                       match_ids: Tensor,
                       temperature: float,
                       exclude_cosounding: bool = False) -> Tensor:
    """Instance-level AGCL over clips.

    Args:
        embeds (Tensor): ``[N, T, Q, D]`` normalised query embeddings.
        anchors (Tensor): ``[N, T, D]`` normalised audio anchors.
        match_ids (Tensor): ``[N, T, Q]`` long, the ground-truth instance id
            a query is matched to in that frame, -1 if unmatched.
        temperature (float): tau.
        exclude_cosounding (bool): Never pick a query matched to another
            instance of the same frame as ``k``'s silent look-alike.

    Returns:
        Tensor: scalar (0 with a gradient path when no instance qualifies).
    """
    losses = []
    n_clips, n_frames = match_ids.shape[:2]
    for n in range(n_clips):
        ids = match_ids[n]
        for k in ids[ids >= 0].unique().tolist():
            hit = ids == k  # [T, Q]
            sounding = hit.any(dim=1)  # [T]
            silent = ~sounding
            if not silent.any():
                continue
            t_pos, q_pos = hit.nonzero(as_tuple=True)
            pos_embeds = embeds[n, t_pos, q_pos]  # [P, D]
            anchor = F.normalize(anchors[n, t_pos].mean(0), dim=0)
            with torch.no_grad():
                proto = F.normalize(pos_embeds.mean(0), dim=0)
                t_neg = silent.nonzero(as_tuple=True)[0]
                sims = embeds[n, t_neg] @ proto  # [M, Q]
                if exclude_cosounding:
                    sims = sims.masked_fill(ids[t_neg] >= 0, float('-inf'))
                    # a frame whose every query is matched has no candidate
                    ok = torch.isfinite(sims).any(dim=1)
                    t_neg, sims = t_neg[ok], sims[ok]
                q_neg = sims.argmax(dim=1)
            if t_neg.numel() == 0:
                continue
            neg_embeds = embeds[n, t_neg, q_neg]  # [M, D]
            losses.append(
                _info_nce(pos_embeds @ anchor / temperature,
                          neg_embeds @ anchor / temperature))
    if not losses:
        return embeds.sum() * 0 + anchors.sum() * 0
    return torch.stack(losses).mean()


class _AGCLLossBase(nn.Module):
    """Holds the temperature and the weight of an AGCL term.

    Args:
        temperature (float): tau. Defaults to 0.1.
        loss_weight (float): lambda_f or lambda_i. Defaults to 1.0.
    """

    def __init__(self, temperature: float = 0.1,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        self.temperature = temperature
        self.loss_weight = loss_weight


@MODELS.register_module()
class AGCLFrameLoss(_AGCLLossBase):
    """Frame-level AGCL loss (see module docstring).

    Args:
        temperature (float): tau. Defaults to 0.1.
        loss_weight (float): lambda_f. Defaults to 1.0.
    """

    def forward(self, embeds: Tensor, anchors: Tensor,
                pos_mask: Tensor) -> Tensor:
        """See :func:`agcl_frame_loss`."""
        return self.loss_weight * agcl_frame_loss(embeds, anchors, pos_mask,
                                                  self.temperature)


@MODELS.register_module()
class AGCLInstanceLoss(_AGCLLossBase):
    """Instance-level AGCL loss (see module docstring).

    Args:
        temperature (float): tau. Defaults to 0.1.
        loss_weight (float): lambda_i. Defaults to 1.0.
        exclude_cosounding (bool): Exclude queries matched to other
            instances of the same frame from the silent look-alike search
            (see module docstring). Defaults to False (the original loss;
            the ToyAVIS configs set True).
    """

    def __init__(self,
                 temperature: float = 0.1,
                 loss_weight: float = 1.0,
                 exclude_cosounding: bool = False) -> None:
        super().__init__(temperature, loss_weight)
        self.exclude_cosounding = exclude_cosounding

    def forward(self, embeds: Tensor, anchors: Tensor,
                match_ids: Tensor) -> Tensor:
        """See :func:`agcl_instance_loss`."""
        return self.loss_weight * agcl_instance_loss(
            embeds, anchors, match_ids, self.temperature,
            self.exclude_cosounding)
