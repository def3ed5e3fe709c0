# Copyright (c) seavis_mm contributors. All rights reserved.
"""SeaVISHead(query_loc_prior=...): each query's reference point puts a
spatial prior on its mask logits and moves to the instance nearest it, so
that two look-alike instances are drawn by two queries."""
import pytest
import torch

from seavis_mm.models.heads import mask2former_decode
from seavis_mm.models.heads.query_locations import (QueryLocationPrior,
                                                    _grid_points)
from ._tiny import build_tiny, loss_backward, tiny_cfg

CONFIG = 'seavis_r18_toyavis_query-loc.py'
POS_CONFIG = 'seavis_r18_toyavis_query-loc_pos-query.py'


def _two_lookalikes(size=32):
    """Mask logits ``[1, 1, size, size]`` of a query that draws two
    identical discs (+4 inside, -4 outside), centred at x = 0.25 and 0.75,
    y = 0.5: what Mask2Former gives for look-alikes."""
    pos = (torch.arange(size) + 0.5) / size
    yy, xx = torch.meshgrid(pos, pos, indexing='ij')
    inside = torch.zeros(size, size, dtype=torch.bool)
    for cx in (0.25, 0.75):
        inside |= (xx - cx)**2 + (yy - 0.5)**2 < 0.1**2
    return torch.where(inside, 4.0, -4.0)[None, None], xx


def test_grid_covers_the_frame():
    for num in (1, 6, 20, 100):
        pts = _grid_points(num)
        assert pts.shape == (num, 2)
        assert ((pts > 0) & (pts < 1)).all()
        assert torch.unique(pts, dim=0).shape[0] == num
    # 20 queries: a 5 x 4 grid, every row and column used
    pts = _grid_points(20)
    assert len(pts[:, 0].unique()) == 5 and len(pts[:, 1].unique()) == 4


def test_prior_is_zero_at_the_point_and_falls_with_distance():
    loc = QueryLocationPrior(2, 8, init_scale=20.0)
    refs = torch.tensor([[[0.25, 0.5], [0.75, 0.5]]])
    scales = loc.scales(torch.randn(1, 2, 8))
    assert torch.allclose(scales, torch.full((1, 2), 20.0))
    prior = loc.prior(refs, scales, (32, 32))
    assert prior.shape == (1, 2, 32, 32)
    assert (prior <= 0).all()
    # the pixel centre nearest (0.25, 0.5) is row 16 (0.516), column 7/8
    assert prior[0, 0, 16, 7] > -0.02 and prior[0, 1, 16, 23] > -0.02
    # half a frame away: 20 * 0.5^2 = 5 logits down (up to a pixel)
    assert -5.5 < prior[0, 0, 16, 23] < -4.5


def test_mean_shift_settles_on_the_nearer_lookalike():
    logits, xx = _two_lookalikes()
    loc = QueryLocationPrior(1, 8, init_scale=20.0, shift_sigma=0.1)
    ref = torch.tensor([[[0.4, 0.45]]])  # nearer the left disc
    # the plain centroid of the mask is between the two discs
    prob = logits.sigmoid()[0, 0]
    assert abs(float((prob * xx).sum() / prob.sum()) - 0.5) < 0.01
    scales = torch.full((1, 1), 20.0)
    for _ in range(4):
        with_prior = logits + loc.prior(ref, scales, (32, 32))
        ref = loc.shift(ref, with_prior)
    assert abs(ref[0, 0, 0] - 0.25) < 0.03 and abs(ref[0, 0, 1] - 0.5) < 0.03
    assert not ref.requires_grad
    # a strong enough prior centred there draws the left disc only
    mask = (logits + loc.prior(ref, torch.full((1, 1), 60.0),
                               (32, 32)))[0, 0] > 0
    assert mask[:, :16].sum() > 0.9 * (logits[0, 0, :, :16] > 0).sum()
    assert mask[:, 16:].sum() == 0


def test_empty_mask_keeps_its_point():
    loc = QueryLocationPrior(1, 8)
    ref = torch.tensor([[[0.3, 0.7]]])
    new = loc.shift(ref, torch.full((1, 1, 16, 16), -30.0))
    assert torch.allclose(new, ref, atol=1e-3)


def test_invalid_args():
    with pytest.raises(ValueError, match='init_scale'):
        QueryLocationPrior(4, 8, init_scale=0)
    with pytest.raises(ValueError, match='divisible by 4'):
        QueryLocationPrior(4, 6, pos_query=True)


def test_position_follows_the_point():
    """pos_query: the position share is a function of the point alone (two
    queries on one point get the same, so self-attention can see it), it
    starts at zero, and it is None without the option."""
    assert QueryLocationPrior(3, 8).position(torch.rand(1, 3, 2)) is None
    loc = QueryLocationPrior(3, 8, pos_query=True)
    refs = torch.tensor([[[0.2, 0.3], [0.2, 0.3], [0.8, 0.6]]])
    assert torch.equal(loc.position(refs), torch.zeros(1, 3, 8))
    torch.nn.init.normal_(loc.pos_mlp.layers[-1].weight)
    pos = loc.position(refs)
    assert pos.shape == (1, 3, 8)
    assert torch.allclose(pos[0, 0], pos[0, 1])
    assert (pos[0, 0] - pos[0, 2]).abs().max() > 1e-3


def _head(layers=3):
    return _head_of(CONFIG, layers)


def _head_of(config, layers=3):
    from seavis_mm.registry import MODELS
    cfg = tiny_cfg(config)
    cfg.model.track_head.transformer_decoder.num_layers = layers
    torch.manual_seed(0)
    return MODELS.build(cfg.model).track_head.eval()


def _features(head, batch=1, size=(64, 96), seed=0):
    g = torch.Generator().manual_seed(seed)
    dims = head.transformer_decoder.embed_dims
    h, w = size
    return (torch.randn(batch, dims, h // 4, w // 4, generator=g), [
        torch.randn(batch, dims, h // s, w // s, generator=g)
        for s in (32, 16, 8)
    ])


@pytest.mark.parametrize('batch', [1, 2])
def test_decode_modes_agree_and_prior_is_applied(batch):
    head = _head()
    assert head.query_loc is not None
    assert build_tiny().track_head.query_loc is None  # off by default
    feats = _features(head, batch)
    with torch.no_grad():
        cls_all, masks_all, q_all = mask2former_decode(head, *feats, True)
        cls_last, masks_last, q_last = mask2former_decode(
            head, *feats, False)
        loc, head.query_loc = head.query_loc, None
        _, masks_plain, q_plain = mask2former_decode(head, *feats, False)
        head.query_loc = loc
    assert all(m is not None for m in masks_all)
    assert all(m is None for m in masks_last[:-1])
    # training's every-layer decode and inference's last-layer decode give
    # the same queries and masks
    for a, b in zip(cls_all, cls_last):
        assert torch.allclose(a, b, atol=1e-5)
    assert torch.allclose(q_all, q_last, atol=1e-5)
    assert torch.allclose(masks_all[-1], masks_last[-1], atol=1e-5)
    # the prior changes both the attention (queries) and the masks
    assert not torch.allclose(q_last, q_plain, atol=1e-3)
    assert (masks_last[-1] - masks_plain[-1]).abs().max() > 0.1


def test_pos_query_starts_as_without_and_moves_the_queries():
    """The pos_query head decodes exactly as the plain prior at the start
    (the MLP's last layer is zero); once that layer is non-zero the points
    steer the decoder's attention: the queries change."""
    head = _head_of(POS_CONFIG)
    feats = _features(head)
    mlp = head.query_loc.pos_mlp
    with torch.no_grad():
        _, masks, q = mask2former_decode(head, *feats, False)
        head.query_loc.pos_mlp = None
        _, masks_plain, q_plain = mask2former_decode(head, *feats, False)
        head.query_loc.pos_mlp = mlp
        assert torch.equal(q, q_plain)
        assert torch.equal(masks[-1], masks_plain[-1])
        torch.nn.init.normal_(mlp.layers[-1].weight)
        _, _, q_moved = mask2former_decode(head, *feats, False)
        # training's and inference's decoders still agree
        _, _, q_all = mask2former_decode(head, *feats, True)
    assert not torch.allclose(q_moved, q_plain, atol=1e-3)
    assert torch.allclose(q_moved, q_all, atol=1e-5)


@pytest.mark.parametrize('config', [CONFIG, POS_CONFIG])
def test_points_and_scales_are_trained(config):
    model = build_tiny(config)
    loss_backward(model)
    loc = model.track_head.query_loc
    params = [loc.ref_logits.weight, loc.scale_fc.weight]
    if loc.pos_mlp is not None:
        # the zero-initialised last layer learns from the start
        params.append(loc.pos_mlp.layers[-1].weight)
    for p in params:
        assert p.grad is not None and p.grad.abs().sum() > 0
