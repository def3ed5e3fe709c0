# Copyright (c) seavis_mm contributors. All rights reserved.
"""Where each query looks: a reference point per query that puts a spatial
prior on its mask logits, moved layer by layer to the mode of its mask.

Mask2Former draws a query's mask as the dot product of the query with the
mask features. Two instances that look alike get (nearly) the same mask
features, so a query that matches one draws both: on ToyAVIS, where the
objects of one category sound together, half of the sounding objects no
query localises are drawn in one mask with a sounding look-alike (the recall
funnel's ``merged_sounding``, docs/en/metrics.md). Adding a position
embedding to the mask features (``mask_pos_embed``) did not separate them:
a query would have to learn to encode a place in its vector.

Here the place is explicit, as in Deformable DETR's reference points and
SOLO's "instances by location": query ``q`` has a reference point ``r_q``
(learned, initialised on a grid over the frame) and its mask logits get
``-c_q * |x - r_q|^2`` (``x`` in frame-normalised coordinates, ``c_q > 0``
read from the query, so a query on a large object can flatten its prior).
After each decoder layer the point moves to the kernel-weighted centroid of
the query's mask probability around it (one mean-shift step, as CondInst's
instance locations: no gradient through it), so it settles on the instance
*nearest* to it, not between two look-alikes. The masked cross-attention
follows, so the query's features become that instance's.

mmdet has no such prior (Deformable DETR's reference points steer the
sampling of deformable attention, not a mask), so it is written here.

The moved points also make duplicates: two queries whose points start near
one object both settle on it and draw the same mask, and their learned
position embeddings (Mask2Former's ``query_embed``, one fixed vector per
query) do not tell the decoder's self-attention that they now sit in one
place. With ``pos_query=True`` the query position follows the point, as in
DAB-DETR and Conditional DETR: ``query_embed + MLP(sine(r_q))``, recomputed
before every decoder layer, so that self-attention can learn to let one of
two co-located queries go and cross-attention sees where its query is.
mmdet's ``coordinate_to_encoding`` and ``MLP`` (its DAB-DETR pieces) are
reused; the MLP's last layer starts at zero, so the head starts as without.
At 400 iterations it did not remove the duplicates (mask NMS still gains
as much; FSLA neutral on seed 0, worse on seed 1: configs/seavis/README.md,
"Query reference points at 1,600 iterations"), so it is off by default.

With ``votes`` the prior and the mean-shift step use where each pixel votes
its instance's centre (:class:`~seavis_mm.models.layers.CenterVotes`)
instead of where the pixel is: the prior is then flat over a whole instance
and drops on a look-alike next to it.
"""
import math
from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from mmdet.models.layers.transformer.utils import MLP, coordinate_to_encoding
from torch import Tensor, nn

from seavis_mm.models.layers.center_votes import CenterVotes, pixel_axes


def _grid_points(num: int) -> Tensor:
    """``num`` points ``[num, 2]`` (x, y in (0, 1)) on the most square grid
    with at least ``num`` cells, filled row by row from the top left."""
    cols = math.ceil(math.sqrt(num))
    rows = math.ceil(num / cols)
    idx = torch.arange(num)
    x = (idx % cols + 0.5) / cols
    y = (idx // cols + 0.5) / rows
    return torch.stack([x, y], dim=-1)


def grid_ref_logits(num: int) -> nn.Embedding:
    """Learned reference points of ``num`` queries, kept as logits so that
    they stay inside the frame, starting on :func:`_grid_points`."""
    ref_logits = nn.Embedding(num, 2)
    with torch.no_grad():
        ref_logits.weight.copy_(torch.logit(_grid_points(num)))
    return ref_logits


def ref_points(ref_logits: nn.Embedding, batch_size: int) -> Tensor:
    """The points ``[B, Q, 2]`` (x, y) of :func:`grid_ref_logits`."""
    return ref_logits.weight.sigmoid().unsqueeze(0).expand(
        batch_size, -1, -1)


class QueryLocationPrior(nn.Module):
    """Reference points of the queries and the spatial prior they put on
    the mask logits.

    Args:
        num_queries (int): Number of queries.
        embed_dims (int): Width of the query features.
        init_scale (float): Initial ``c_q``: the prior's logit drop at
            distance ``d`` is ``c_q * d^2``. At 20 an instance a third of
            the frame away loses about 2 logits, the rim of one of radius
            0.15 about 0.5. Defaults to 20.
        shift_sigma (float): Width (frame-normalised) of the Gaussian kernel
            of the mean-shift step that moves a point to its instance.
            Defaults to 0.1.
        pos_query (bool): Add ``MLP(sine(r_q))`` to the query position
            before every decoder layer (see the module docstring).
            Defaults to False.
        votes (dict, optional): :class:`CenterVotes` args (but
            ``in_channels``): take the prior on the pixels' centre votes.
            None: on the pixels' positions.
        mask_channels (int, optional): The mask features' channels, which
            ``votes`` reads (the head sets it).
    """

    def __init__(self,
                 num_queries: int,
                 embed_dims: int,
                 init_scale: float = 20.0,
                 shift_sigma: float = 0.1,
                 pos_query: bool = False,
                 votes: Optional[dict] = None,
                 mask_channels: Optional[int] = None) -> None:
        super().__init__()
        if votes is not None and not mask_channels:
            raise ValueError('QueryLocationPrior: votes needs mask_channels '
                             '(the mask features\' channels)')
        self.votes = CenterVotes(mask_channels, **votes) \
            if votes is not None else None
        if init_scale <= 0 or shift_sigma <= 0:
            raise ValueError('QueryLocationPrior: init_scale and shift_sigma '
                             f'must be > 0, got {init_scale}, {shift_sigma}')
        if pos_query and embed_dims % 4:
            raise ValueError('QueryLocationPrior: pos_query needs embed_dims '
                             f'divisible by 4, got {embed_dims}')
        self.pos_mlp = None
        if pos_query:
            self.pos_mlp = MLP(embed_dims, embed_dims, embed_dims, 2)
            nn.init.zeros_(self.pos_mlp.layers[-1].weight)
            nn.init.zeros_(self.pos_mlp.layers[-1].bias)
        self.shift_sigma = float(shift_sigma)
        self.ref_logits = grid_ref_logits(num_queries)
        # c_q = softplus(w . q + b): w = 0 at the start, every c_q = init
        self.scale_fc = nn.Linear(embed_dims, 1)
        nn.init.zeros_(self.scale_fc.weight)
        nn.init.constant_(self.scale_fc.bias,
                          math.log(math.expm1(init_scale)))

    def initial(self, batch_size: int) -> Tensor:
        """The queries' starting points ``[B, Q, 2]`` (x, y)."""
        return ref_points(self.ref_logits, batch_size)

    def position(self, refs: Tensor) -> Optional[Tensor]:
        """The query position embedding's share from the points
        ``[B, Q, C]``, or None without ``pos_query``."""
        if self.pos_mlp is None:
            return None
        dims = self.pos_mlp.layers[0].in_features
        return self.pos_mlp(
            coordinate_to_encoding(refs, num_feats=dims // 2))

    def scales(self, query: Tensor) -> Tensor:
        """``c_q`` ``[B, Q]`` from the (post-normed) query features."""
        return F.softplus(self.scale_fc(query).squeeze(-1))

    def pixel_votes(self, mask_features: Tensor) -> Optional[Tensor]:
        """The pixels' centre votes ``[B, 2, h, w]`` at the mask features'
        size, or None without ``votes``."""
        if self.votes is None:
            return None
        return self.votes(mask_features)

    @staticmethod
    def _offsets(refs: Tensor, size: Tuple[int, int],
                 votes: Optional[Tensor]) -> Tuple[Tensor, Tensor]:
        """``(dx, dy)`` from each point to each pixel (or the pixel's vote),
        broadcastable to ``[B, Q, h, w]``."""
        if votes is not None:
            return (votes[:, None, 0] - refs[..., 0, None, None],
                    votes[:, None, 1] - refs[..., 1, None, None])
        x, y = pixel_axes(size, refs)
        return (x.view(1, 1, 1, -1) - refs[..., 0, None, None],
                y.view(1, 1, -1, 1) - refs[..., 1, None, None])

    def prior(self, refs: Tensor, scales: Tensor,
              size: Tuple[int, int],
              votes: Optional[Tensor] = None) -> Tensor:
        """The logit prior ``-c_q |x - r_q|^2`` ``[B, Q, h, w]``, with ``x``
        the pixels' ``votes`` ``[B, 2, h, w]`` when given."""
        dx, dy = self._offsets(refs, size, votes)
        return -scales[..., None, None] * (dx**2 + dy**2)

    @torch.no_grad()
    def shift(self, refs: Tensor, mask_logits: Tensor,
              votes: Optional[Tensor] = None) -> Tensor:
        """One mean-shift step: each point moves to the centroid of its
        query's mask probability weighted by a Gaussian kernel around it.
        A query that draws nothing near its point keeps it.

        Args:
            refs (Tensor): ``[B, Q, 2]``.
            mask_logits (Tensor): ``[B, Q, h, w]``, with the prior.
            votes (Tensor, optional): ``[B, 2, h, w]``: the centroid and the
                kernel are taken on the pixels' votes, not their positions.

        Returns:
            Tensor: the new points ``[B, Q, 2]`` (no gradient).
        """
        dx, dy = self._offsets(refs, mask_logits.shape[-2:], votes)
        kernel = torch.exp(-(dx**2 + dy**2) / (2 * self.shift_sigma**2))
        weight = mask_logits.sigmoid() * kernel
        eps = 1e-3
        total = weight.sum((-2, -1)) + eps
        # the weighted mean of (point + offset) = point + weighted mean
        # offset, the eps share staying at the point
        new_x = refs[..., 0] + (weight * dx).sum((-2, -1)) / total
        new_y = refs[..., 1] + (weight * dy).sum((-2, -1)) / total
        return torch.stack([new_x, new_y], dim=-1)
