# Copyright (c) seavis_mm contributors. All rights reserved.
"""SeaVISHead(fine_mask=...): masks at stride 2 from the mask features plus
an image stem, starting as the stride-4 masks upsampled."""
import pytest
import torch
import torch.nn.functional as F

from seavis_mm.models.layers import FineMaskFeatures
from ._tiny import build_with_head_option, loss_backward

CONFIG = 'seavis_r18_toyavis_fine-mask.py'


def test_starts_as_the_upsampled_features():
    torch.manual_seed(0)
    fine = FineMaskFeatures(16)
    fine.init_weights()
    feats, imgs = torch.randn(2, 16, 8, 12), torch.randn(2, 3, 32, 48)
    out = fine(feats, imgs)
    assert out.shape == (2, 16, 16, 24)
    up = F.interpolate(feats, size=(16, 24), mode='bilinear',
                       align_corners=False)
    assert torch.equal(out, up)
    # the skip carries the image once the projection is trained
    torch.nn.init.normal_(fine.proj.weight)
    with torch.no_grad():
        a, b = fine(feats, imgs), fine(feats, imgs.flip(-1))
    assert (a - b).abs().max() > 1e-3
    assert FineMaskFeatures(16, stride=1)(feats, imgs).shape[-2:] == (32, 48)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match='stride must be 1 or 2'):
        FineMaskFeatures(16, stride=4)
    with pytest.raises(ValueError, match='num_convs'):
        FineMaskFeatures(16, num_convs=0)
    with pytest.raises(ValueError, match='2 images for 1 mask feature'):
        FineMaskFeatures(16)(torch.zeros(1, 16, 4, 4),
                             torch.zeros(2, 3, 16, 16))


def test_model_predicts_at_stride_two_and_trains_the_stem():
    model = build_with_head_option(CONFIG, 'fine_mask')
    head = model.track_head
    model.eval()
    with torch.no_grad():
        out, _ = model.forward_frame(
            torch.rand(1, 3, 64, 64), torch.randn(1, 1, 96, 64),
            model.init_state())
    assert out['mask_logits'].shape[-2:] == (32, 32)  # stride 2, not 4

    loss_backward(model)
    grad = head.fine_mask.proj.weight.grad
    assert grad is not None and grad.abs().sum() > 0
