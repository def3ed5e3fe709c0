# Copyright (c) seavis_mm contributors. All rights reserved.
"""The dense sounding-segmentation loss on the fused mask features
(SeaVISHead sounding_seg, SoundingSegmentation)."""
import math

import pytest
import torch

from seavis_mm.models.layers.sounding_seg import (SoundingSegmentation,
                                                  category_targets)
from ._tiny import build_with_head_option, synthetic_batch

CONFIG = 'seavis_r18_toyavis_sounding-seg.py'


def test_category_targets_label_each_instances_pixels():
    masks = torch.zeros(2, 16, 16, dtype=torch.bool)
    masks[0, :8, :8] = True
    masks[1, 8:, 6:] = True  # covers half of the 4x4 cell (2, 1)
    out = category_targets(masks, torch.tensor([3, 1]), (4, 4), 5)
    assert out.dtype == torch.long
    assert out[:2, :2].eq(3).all()
    assert out[2:, 2:].eq(1).all() and out[2, 1] == 1
    assert out[0, 2:].eq(5).all() and out[2:, 0].eq(5).all()
    assert category_targets(masks[:0], torch.tensor([]), (4, 4),
                            5).eq(5).all()
    with pytest.raises(ValueError, match='2 masks but 1 labels'):
        category_targets(masks, torch.tensor([3]), (4, 4), 5)


def test_loss_is_small_when_right_and_chance_when_uniform():
    seg = SoundingSegmentation(8, num_classes=5)
    masks = torch.zeros(1, 16, 16, dtype=torch.bool)
    masks[0, 4:12, 4:12] = True
    labels = torch.tensor([2])
    target = category_targets(masks, labels, (8, 8), 5)
    right = torch.nn.functional.one_hot(target, 6).permute(2, 0, 1)[None]
    assert seg.loss(right.float() * 30, [masks], [labels]) < 1e-6
    uniform = torch.zeros(1, 6, 8, 8)
    assert seg.loss(uniform, [masks], [labels]).item() == pytest.approx(
        math.log(6), rel=1e-5)
    assert seg(torch.randn(2, 8, 8, 8)).shape == (2, 6, 8, 8)
    with pytest.raises(ValueError, match='2 frames of logits'):
        seg.loss(torch.zeros(2, 6, 8, 8), [masks], [labels])
    with pytest.raises(ValueError, match='num_classes'):
        SoundingSegmentation(8, num_classes=0)


def test_loss_trains_the_fused_mask_features():
    """The loss alone reaches the pixel decoder's mask features and the
    neck that fuses the audio into them."""
    model = build_with_head_option(CONFIG, 'sounding_seg')
    model.train()
    data = model.data_preprocessor(synthetic_batch(), training=True)
    losses = model.loss(**data)
    assert losses['loss_sounding_seg'] > 0
    losses['loss_sounding_seg'].backward()
    head = model.track_head
    assert head.sounding_seg.cls.weight.grad.abs().sum() > 0
    assert head.pixel_decoder.mask_feature.weight.grad.abs().sum() > 0
    neck_grads = [p.grad for p in model.neck.parameters()
                  if p.grad is not None]
    assert neck_grads and sum(g.abs().sum() for g in neck_grads) > 0
    # the query decoder is not what it trains
    assert head.query_feat.weight.grad is None


def test_inference_does_not_run_it():
    model = build_with_head_option(CONFIG, 'sounding_seg')

    def refuse(*args, **kwargs):
        raise AssertionError('sounding_seg ran at inference')

    model.track_head.sounding_seg.forward = refuse
    model.eval()
    with torch.no_grad():
        out = model.test_step(synthetic_batch(num_clips=1, clip_len=3))
    assert len(out[0]) == 3
