# Copyright (c) seavis_mm contributors. All rights reserved.
"""QueryLocationPrior(votes=...): the query prior taken on where each pixel
votes its instance's centre (CenterVotes), so that it is flat over an
instance and drops on a look-alike next to it."""
import pytest
import torch

from seavis_mm.models.heads.query_locations import QueryLocationPrior
from seavis_mm.models.layers import CenterVotes
from seavis_mm.models.layers.center_votes import centre_targets, pixel_grid
from ._tiny import build_tiny, build_with_head_option, loss_backward

CONFIG = 'seavis_r18_toyavis_query-loc_one-to-many_votes.py'


def _two_discs(size=32, r=5):
    """Two identical discs side by side: ``[2, size, size]`` bool and their
    centres (frame-normalised x, y)."""
    yy, xx = torch.meshgrid(torch.arange(size) + 0.5,
                            torch.arange(size) + 0.5, indexing='ij')
    centres = [(10.0, 16.0), (22.0, 16.0)]
    masks = torch.stack([(xx - cx)**2 + (yy - cy)**2 <= r * r
                         for cx, cy in centres])
    return masks, torch.tensor(centres) / size


def test_centre_targets_are_the_instances_centroids():
    masks, centres = _two_discs()
    t = centre_targets(masks, (32, 32))
    for k in range(2):
        got = t[:, masks[k]]
        assert torch.allclose(got, centres[k][:, None].expand_as(got),
                              atol=1e-5)
    assert torch.isnan(t[:, ~masks.any(0)]).all()
    # at a coarser size a cell belongs to the instance covering half of it
    small = centre_targets(masks, (8, 8))
    assert small.shape == (2, 8, 8)
    assert torch.allclose(small[:, 4, 2], centres[0], atol=1e-5)
    assert torch.isnan(centre_targets(masks[:0], (8, 8))).all()


def test_untrained_votes_are_positions_and_the_loss_trains_them():
    torch.manual_seed(0)
    votes = CenterVotes(16)
    feats = torch.randn(1, 16, 32, 32, requires_grad=True)
    v = votes(feats)
    assert torch.equal(v, pixel_grid((32, 32), feats)[None])
    masks, centres = _two_discs()
    loss = votes.loss(v, [masks])
    assert loss > 0
    loss.backward()
    assert votes.offset.weight.grad.abs().sum() > 0
    # perfect votes cost nothing; no instance costs nothing, with a graph
    perfect = torch.nan_to_num(centre_targets(masks, (32, 32)))[None]
    assert votes.loss(perfect, [masks]) == 0
    empty = votes.loss(v, [masks[:0]])
    assert empty == 0 and empty.requires_grad
    with pytest.raises(ValueError, match='2 frames of votes, 1 of masks'):
        votes.loss(v.expand(2, -1, -1, -1), [masks])
    with pytest.raises(ValueError, match='loss_weight'):
        CenterVotes(16, loss_weight=-1)
    with pytest.raises(ValueError, match='mask_channels'):
        QueryLocationPrior(4, 16, votes=dict())


def test_prior_on_votes_is_flat_on_an_instance_and_splits_look_alikes():
    masks, centres = _two_discs()
    loc = QueryLocationPrior(1, 16, votes=dict(), mask_channels=16)
    perfect = torch.nan_to_num(centre_targets(masks, (32, 32)))[None]
    refs = centres[None, :1]  # the point on disc 0
    scales = torch.full((1, 1), 50.0)
    on_votes = loc.prior(refs, scales, (32, 32), perfect)[0, 0]
    on_pixels = loc.prior(refs, scales, (32, 32))[0, 0]
    assert on_votes[masks[0]].abs().max() < 1e-6  # flat over disc 0
    assert on_pixels[masks[0]].min() < -0.5  # the rim pays on positions
    assert on_votes[masks[1]].max() < -5  # the look-alike drops

    # the mean-shift step on the votes lands on the centre of the disc the
    # point is nearer, even when the query draws both discs
    logits = torch.where(masks.any(0), 10.0, -10.0)[None, None]
    start = torch.tensor([[[0.40, 0.55]]])
    moved = loc.shift(start, logits, perfect)
    # one step: all but the kernel's tail on the other disc (2% of weight)
    assert (moved[0, 0] - centres[0]).norm() < 0.01
    twice = loc.shift(moved, logits, perfect)
    assert (twice[0, 0] - centres[0]).norm() < 1e-3
    # on positions the kernel cuts disc 0 off-centre
    plain = loc.shift(start, logits)
    assert (plain[0, 0] - centres[0]).norm() > 0.05


def test_model_starts_as_the_points_and_trains_the_votes():
    model = build_with_head_option(CONFIG, 'query_loc')
    head = model.track_head
    assert head.query_loc.votes is not None
    assert build_tiny(
        'seavis_r18_toyavis_query-loc_one-to-many.py'
    ).track_head.query_loc.votes is None
    # untrained votes are the pixels' positions: the points' masks exactly
    model.eval()
    frame = (torch.rand(1, 3, 64, 64), torch.randn(1, 1, 96, 64))
    with torch.no_grad():
        out, _ = model.forward_frame(*frame, model.init_state())
        kept, head.query_loc.votes = head.query_loc.votes, None
        ref, _ = model.forward_frame(*frame, model.init_state())
        head.query_loc.votes = kept
    assert torch.allclose(out['mask_logits'], ref['mask_logits'], atol=1e-5)

    losses = loss_backward(model)
    assert losses['loss_votes'] > 0
    assert head.query_loc.votes.offset.weight.grad.abs().sum() > 0
