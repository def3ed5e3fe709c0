# Copyright (c) seavis_mm contributors. All rights reserved.
"""Mask-quality class targets (QualityCrossEntropyLoss, SeaVISHead
loss_cls_quality)."""
from types import SimpleNamespace

import pytest
import torch
from mmdet.models.losses import CrossEntropyLoss

from seavis_mm.models.losses import (QualityCrossEntropyLoss,
                                     matched_mask_iou, quality_cross_entropy)
from seavis_mm.registry import MODELS
from ._tiny import (build_tiny, build_with_head_option, loss_backward,
                    tiny_cfg)

CONFIG = 'seavis_r18_toyavis_mask-quality.py'


def _look_alikes(size=32):
    """Two look-alikes (class 1) side by side."""
    masks = torch.zeros(2, size, size, dtype=torch.bool)
    masks[0, 4:14, 2:12] = True
    masks[1, 4:14, 12:22] = True
    return masks, torch.tensor([1, 1])


def test_matched_iou_is_the_mask_iou_with_the_instance():
    masks, _ = _look_alikes()
    logits = torch.full((3, 32, 32), -8.0)
    logits[0] = torch.where(masks[0], 8.0, -8.0)  # clean
    logits[1] = torch.where(masks[0] | masks[1], 8.0, -8.0)  # merged
    iou = matched_mask_iou(logits, masks, torch.tensor([0, 1, 2]),
                           torch.tensor([0, 1, 1]))
    assert iou.tolist() == pytest.approx([1.0, 0.5, 0.0])
    # ground truth at another size is resized to the logits'
    big = masks.repeat_interleave(4, 1).repeat_interleave(4, 2)
    assert matched_mask_iou(logits, big, torch.tensor([1]),
                            torch.tensor([0])).item() == pytest.approx(0.5)
    none = torch.tensor([], dtype=torch.long)
    assert matched_mask_iou(logits, masks, none, none).shape == (0, )


def test_full_quality_is_mmdets_weighted_cross_entropy():
    torch.manual_seed(0)
    logits = torch.randn(7, 4)
    labels = torch.tensor([0, 3, 3, 2, 3, 1, 3])
    weight = [1.0, 1.0, 1.0, 0.1]
    ref = CrossEntropyLoss(class_weight=weight)(
        logits, labels, avg_factor=torch.tensor(weight)[labels].sum())
    out = quality_cross_entropy(logits, labels, torch.ones(7),
                                torch.tensor(weight))
    assert out.item() == pytest.approx(ref.item(), rel=1e-6)


def test_soft_target_puts_the_rest_on_no_object():
    logits = torch.zeros(1, 3, requires_grad=True)  # 2 classes + bg
    out = quality_cross_entropy(logits, torch.tensor([1]),
                                torch.tensor([0.25]),
                                torch.tensor([1.0, 1.0, 0.5]))
    # -(1 * .25 log 1/3 + .5 * .75 log 1/3) / (.25 + .375)
    assert out.item() == pytest.approx(torch.log(torch.tensor(3.)).item())
    out.backward()
    # softmax-CE gradient: p - target, per weight; class 0 gets no target
    g = logits.grad[0]
    assert g[1] < 0 and g[2] < 0 and g[0] > 0
    # the minimum is at p = the weighted target: a lower quality moves the
    # optimum of p_class down
    ps = []
    for q in (0.9, 0.5):
        z = torch.zeros(1, 3, requires_grad=True)
        opt = torch.optim.SGD([z], lr=5.0)
        for _ in range(300):
            opt.zero_grad()
            quality_cross_entropy(z, torch.tensor([1]), torch.tensor([q]),
                                  torch.ones(3)).backward()
            opt.step()
        ps.append(z.softmax(1)[0, 1].item())
    assert ps[0] == pytest.approx(0.9, abs=1e-2)
    assert ps[1] == pytest.approx(0.5, abs=1e-2)


def test_targets_give_a_merged_mask_less_than_a_clean_one():
    masks, labels = _look_alikes()
    loss = QualityCrossEntropyLoss(power=2.0)
    preds = torch.full((1, 4, 32, 32), -8.0)
    preds[0, 1] = torch.where(masks[0] | masks[1], 8.0, -8.0)  # merged
    preds[0, 3] = torch.where(masks[1], 8.0, -8.0)  # clean
    res = SimpleNamespace(pos_inds=torch.tensor([1, 3]),
                          pos_assigned_gt_inds=torch.tensor([0, 1]))
    lab, q = loss.targets(preds, [masks], [labels], [res], num_classes=2)
    assert lab.tolist() == [[2, 1, 2, 1]]
    assert q[0].tolist() == pytest.approx([1.0, 0.25, 1.0, 1.0])  # 0.5 ** 2
    with pytest.raises(ValueError, match='power'):
        QualityCrossEntropyLoss(power=0.0)


def test_head_replaces_the_class_loss_of_every_layer():
    model = build_with_head_option(CONFIG, 'loss_cls_quality')
    losses = loss_backward(model)
    assert 'loss_cls' in losses and 'd0.loss_cls' in losses
    assert losses['loss_cls'] > 0
    assert model.track_head.cls_embed.weight.grad.abs().sum() > 0
    # same weights and batch without it: the same mask losses, and a class
    # loss that differs (the masks of an untrained head draw badly, so the
    # quality targets are far from 1)
    plain = build_tiny()
    plain.load_state_dict(build_tiny(CONFIG).state_dict())
    ref = loss_backward(plain)
    assert losses['loss_mask'].item() == pytest.approx(
        ref['loss_mask'].item(), rel=1e-5)
    assert losses['loss_cls'].item() != pytest.approx(ref['loss_cls'].item(),
                                                      rel=1e-3)


def test_head_refuses_options_that_set_class_targets_too():
    cfg = tiny_cfg(CONFIG).model
    cfg.track_head.hybrid = dict()
    with pytest.raises(ValueError, match='loss_cls_quality'):
        MODELS.build(cfg)


def test_one_to_many_extras_get_the_iou_with_what_they_draw():
    masks, labels = _look_alikes()
    loss = QualityCrossEntropyLoss()
    preds = torch.full((1, 4, 32, 32), -8.0)
    preds[0, 0] = torch.where(masks[0], 8.0, -8.0)  # matched, clean
    part = masks[1].clone()
    part[4:9] = False
    preds[0, 2] = torch.where(part, 8.0, -8.0)  # unmatched, half of 1
    res = SimpleNamespace(pos_inds=torch.tensor([0]),
                          pos_assigned_gt_inds=torch.tensor([0]))
    drawn = [torch.tensor([0, -1, 1, -1])]  # query 0 draws 0 too: matched
    lab, q = loss.targets(preds, [masks], [labels], [res], 2, drawn)
    assert lab[0].tolist() == [1, 2, 1, 2]
    assert q[0].tolist() == pytest.approx([1.0, 1.0, 0.5, 1.0])
    # in the head, from the same drawn_assignment as the class labels
    cfg = tiny_cfg(CONFIG).model
    cfg.track_head.one_to_many = dict(identity=False)
    torch.manual_seed(0)
    model = MODELS.build(cfg)
    model.init_weights()
    assert loss_backward(model)['loss_cls'] > 0
