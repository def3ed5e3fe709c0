# Copyright (c) seavis_mm contributors. All rights reserved.
"""The mask loss on a query's rivals, the other instances of its class
(RivalMaskLoss, SeaVISHead loss_rival)."""
from types import SimpleNamespace

import pytest
import torch

from seavis_mm.models.losses import RivalMaskLoss, rival_mask_loss, rival_maps
from seavis_mm.registry import MODELS
from ._tiny import build_with_head_option, loss_backward, synthetic_batch

CONFIG = 'seavis_r18_toyavis_query-loc_one-to-many_votes_rival.py'


def _three_blocks(size=32):
    """Two look-alikes (class 1) side by side and one of class 2."""
    masks = torch.zeros(3, size, size, dtype=torch.bool)
    masks[0, 4:14, 2:12] = True
    masks[1, 4:14, 12:22] = True
    masks[2, 20:30, 20:30] = True
    return masks, torch.tensor([1, 1, 2])


def test_rival_maps_are_the_other_instances_of_the_class():
    masks, labels = _three_blocks()
    rivals = rival_maps(masks, labels, torch.tensor([0, 1, 2]), (32, 32))
    assert torch.equal(rivals[0], masks[1].float())
    assert torch.equal(rivals[1], masks[0].float())
    assert rivals[2].sum() == 0  # no other instance of class 2
    every = rival_maps(masks, labels, torch.tensor([2]), (32, 32),
                       same_class=False)
    assert torch.equal(every[0], (masks[0] | masks[1]).float())
    # at a coarser size a pixel keeps the share its rivals cover
    coarse = rival_maps(masks, labels, torch.tensor([0]), (8, 8))
    assert coarse[0].sum() == pytest.approx(masks[1].sum() / 16)
    assert 0 < coarse[0].max() <= 1
    assert rival_maps(masks, labels, torch.tensor([], dtype=torch.long),
                      (8, 8)).shape == (0, 8, 8)


def test_the_loss_is_paid_on_the_spill_only():
    masks, labels = _three_blocks()
    rivals = rival_maps(masks, labels, torch.tensor([0]), (32, 32))
    own = torch.where(masks[0], 8.0, -8.0)[None]
    spill = torch.where(masks[0] | masks[1], 8.0, -8.0)[None]
    assert rival_mask_loss(own, rivals) < 1e-3
    assert rival_mask_loss(spill, rivals) > 7.9  # softplus(8) per pixel
    logits = spill.clone().requires_grad_()
    rival_mask_loss(logits, rivals).backward()
    # the gradient is on the rival's pixels alone
    assert torch.equal(logits.grad[0] != 0, masks[1])
    # a query without rivals: zero, with a graph
    lone = torch.zeros(1, 32, 32, requires_grad=True)
    loss = rival_mask_loss(lone, rival_maps(masks, labels,
                                            torch.tensor([2]), (32, 32)))
    loss.backward()
    assert loss == 0 and lone.grad is not None


def test_registered_loss_gathers_the_assigned_queries():
    masks, labels = _three_blocks()
    loss = MODELS.build(dict(type='RivalMaskLoss', loss_weight=3.0))
    logits = torch.full((4, 32, 32), -8.0)
    logits[2] = torch.where(masks[0] | masks[1], 8.0, -8.0)  # spills
    # query 2 stands for instance 0: it pays; query 0 (clean) for 1
    out = loss([logits], [masks], [labels], [torch.tensor([1, 0])],
               [torch.tensor([0, 2])])
    ref = rival_mask_loss(
        logits[[0, 2]],
        rival_maps(masks, labels, torch.tensor([1, 0]), (32, 32)))
    assert out == pytest.approx(3.0 * ref.item())
    assert out > 3.0
    with pytest.raises(ValueError, match='loss_weight'):
        RivalMaskLoss(loss_weight=-1.0)


def test_head_adds_drawn_queries_in_the_last_layer():
    """With one-to-many targets, a query that draws an instance without
    being its match pays for spilling over the instance's look-alike."""
    model = build_with_head_option(CONFIG, 'loss_rival')
    head = model.track_head
    masks, labels = _three_blocks()
    gt = [SimpleNamespace(masks=masks, labels=labels)]
    logits = torch.full((1, 6, 32, 32), -8.0)
    # query 3 draws instance 0 (IoU 2/3) and spills over half of 1
    spill = masks[0].clone()
    spill[4:14, 12:17] = True
    logits[0, 3] = torch.where(spill, 8.0, -8.0)
    none = torch.tensor([], dtype=torch.long)
    log = [SimpleNamespace(pos_inds=none, pos_assigned_gt_inds=none)] * 2
    losses = head._loss_rival([logits, logits], gt, log,
                              head._last_drawn(logits, gt))
    assert set(losses) == {'d0.loss_rival', 'loss_rival'}
    assert losses['d0.loss_rival'] == 0  # no match, no drawing here
    # half the rival's pixels at softplus(8), times the weight 2
    assert losses['loss_rival'] == pytest.approx(2.0 * 8.0 / 2, rel=1e-3)
    kept, head.one_to_many = head.one_to_many, None
    assert head._loss_rival([logits, logits], gt, log,
                            head._last_drawn(logits, gt))['loss_rival'] == 0
    head.one_to_many = kept
    with pytest.raises(RuntimeError, match='sampling results'):
        head._loss_rival([logits], gt, log)


def test_training_step_trains_the_masks_on_rivals():
    model = build_with_head_option(CONFIG, 'loss_rival')
    model.train()
    # two instances of one class: each is the other's rival
    data = model.data_preprocessor(synthetic_batch(labels=(1, 1)),
                                   training=True)
    losses = model.loss(**data)
    assert losses['loss_rival'] > 0 and 'd0.loss_rival' in losses
    grad, = torch.autograd.grad(losses['loss_rival'],
                                model.track_head.mask_embed[0].weight)
    assert grad.abs().sum() > 0
    # of two classes: no rivals, the loss is zero
    assert loss_backward(model)['loss_rival'] == 0
