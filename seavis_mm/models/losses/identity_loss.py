# Copyright (c) seavis_mm contributors. All rights reserved.
r"""Identity contrastive loss across a clip's frames (IDOL / CTVIS style).

The tracker associates a frame's queries with track memories that are
momentum averages of each track's past embeddings. This loss trains exactly
that decision with ground-truth instance ids, so that association does not
depend on whether an object sounds.

For one clip, frame by frame in time order, each ground-truth instance ``k``
keeps a memory ``m_k`` that starts at its first matched (Hungarian) query
embedding and is updated like the tracker's,
``m_k <- normalize((1 - mu) m_k + mu e)``, at every later frame where ``k``
is matched. At a frame ``t`` where ``k`` is matched to query ``q`` and
``k`` already has a memory (from any earlier frame of the clip, silent gaps
in between included):

- memory to queries: ``m_k`` must pick ``e_{t,q}`` among all ``Q`` queries
  of frame ``t`` (other instances' queries, background, and the queries of
  visible but silent objects are the negatives):
  :math:`-\log \mathrm{softmax}_q(\langle m_k, e_{t,\cdot}\rangle/\tau)`;
- query to memories (when at least two instances have a memory):
  ``e_{t,q}`` must pick ``m_k`` among the clip's memories.

The loss is the mean over those terms. Gradients flow into the memories too
(they are the clip's other frames' embeddings), as IDOL contrasts frames
both ways.

Only frames where ``k`` is annotated (sounding, in AVISeg) give it a
positive: no silent-object label is used, as AVISeg has none.

With ``extra_ids`` (the head's one-to-many targets,
:func:`seavis_mm.models.layers.drawn_assignment.drawn_assignment`), the
other queries that draw ``k`` in frame ``t`` are positives too: in the
memory-to-queries term the memory must pick *any* of them
(:math:`-\log \sum_{q \in P_k} \mathrm{softmax}_q`), and each of them
must pick ``m_k`` among the memories. Without them such a query is a
negative of the very object it draws, and mask NMS at inference may keep
it. The memories are still updated from the matched query only.
"""
from typing import Dict, List, Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from seavis_mm.registry import MODELS


def identity_contrast_loss(embeds: Tensor,
                           match_ids: Tensor,
                           momentum: float,
                           temperature: float,
                           extra_ids: Optional[Tensor] = None) -> Tensor:
    """Identity contrastive loss over clips (see module docstring).

    Args:
        embeds (Tensor): ``[N, T, Q, D]`` L2-normalised identity embeddings.
        match_ids (Tensor): ``[N, T, Q]`` long, the ground-truth instance id
            a query is matched to in that frame, -1 if unmatched.
        momentum (float): ``mu``, the weight of the new observation in the
            memory update (the tracker's ``momentums['embeds']``).
        temperature (float): ``tau``.
        extra_ids (Tensor, optional): ``[N, T, Q]`` long, the instance an
            unmatched query draws (one-to-many positive), -1 if none.

    Returns:
        Tensor: scalar (0 with a gradient path when no term exists).
    """
    terms: List[Tensor] = []
    n_clips, n_frames = match_ids.shape[:2]
    for n in range(n_clips):
        memory: Dict[int, Tensor] = {}
        for t in range(n_frames):
            q_idx = torch.nonzero(match_ids[n, t] >= 0).squeeze(1)
            ks = match_ids[n, t, q_idx].tolist()
            frame = embeds[n, t]  # [Q, D]
            known = list(memory)
            mem = torch.stack([memory[k] for k in known]) if known else None
            extra = extra_ids[n, t] if extra_ids is not None else None
            for q, k in zip(q_idx.tolist(), ks):
                if k not in memory:
                    continue
                # memory -> the frame's queries (any that draws k)
                logits = frame @ memory[k] / temperature
                pos = [q]
                if extra is not None:
                    pos += torch.nonzero(extra == k).squeeze(1).tolist()
                terms.append(
                    torch.logsumexp(logits, 0) -
                    torch.logsumexp(logits[pos], 0))
                if len(known) > 1:
                    # query -> the clip's memories
                    for p in pos:
                        logits = mem @ frame[p] / temperature
                        terms.append(
                            torch.logsumexp(logits, 0) -
                            logits[known.index(k)])
            for q, k in zip(q_idx.tolist(), ks):
                e = frame[q]
                memory[k] = e if k not in memory else F.normalize(
                    (1 - momentum) * memory[k] + momentum * e, dim=0)
    if not terms:
        return embeds.sum() * 0
    return torch.stack(terms).mean()


@MODELS.register_module()
class IdentityContrastLoss(nn.Module):
    """Identity contrastive loss (see module docstring).

    Args:
        temperature (float): tau. Defaults to 0.1.
        momentum (float): memory momentum (the weight of the new embedding),
            best set to the tracker's. Defaults to 0.5.
        loss_weight (float): Defaults to 1.0.
    """

    def __init__(self,
                 temperature: float = 0.1,
                 momentum: float = 0.5,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        if not 0.0 < momentum <= 1.0:
            raise ValueError('IdentityContrastLoss: momentum must be in '
                             f'(0, 1], got {momentum}')
        self.temperature = temperature
        self.momentum = momentum
        self.loss_weight = loss_weight

    def forward(self,
                embeds: Tensor,
                match_ids: Tensor,
                extra_ids: Optional[Tensor] = None) -> Tensor:
        """See :func:`identity_contrast_loss`."""
        return self.loss_weight * identity_contrast_loss(
            embeds, match_ids, self.momentum, self.temperature, extra_ids)
