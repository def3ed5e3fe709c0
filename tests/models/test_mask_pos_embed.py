# Copyright (c) seavis_mm contributors. All rights reserved.
"""SeaVISHead(mask_pos_embed=True): the mask features get a learned
projection of the sine position encoding, starting at zero."""
import torch

from ._tiny import build_with_head_option, loss_backward

CONFIG = 'seavis_r18_toyavis_mask-pos.py'


def _mask_features(model, imgs):
    with torch.no_grad():
        return model.track_head.pixel_decode(model.backbone(imgs))[0]


def test_starts_as_mask2former_and_learns_position():
    model = build_with_head_option(CONFIG, 'mask_pos_proj')
    head = model.track_head
    model.eval()
    imgs = torch.rand(1, 3, 64, 64)
    with_pos = _mask_features(model, imgs)
    proj, head.mask_pos_proj = head.mask_pos_proj, None
    without = _mask_features(model, imgs)
    head.mask_pos_proj = proj
    # zero-initialised: the same features as without the embedding
    assert torch.equal(with_pos, without)

    # one training step gives the projection a gradient
    loss_backward(model)
    assert proj.weight.grad is not None and proj.weight.grad.abs().sum() > 0

    # with a non-zero projection every position gets its own offset: two
    # pixels with the same visual features no longer have the same mask
    # features
    model.eval()
    torch.nn.init.normal_(proj.weight)
    offset = _mask_features(model, imgs) - without
    flat = offset[0].flatten(1).t()  # [H * W, C]
    assert torch.unique(flat.round(decimals=4), dim=0).shape[0] == \
        flat.shape[0]


def test_unknown_head_key_is_refused():
    """mmdet's Mask2FormerHead drops keys it does not know; a misspelt
    option must not train a different model silently."""
    import pytest

    from ._tiny import tiny_cfg
    from seavis_mm.registry import MODELS
    cfg = tiny_cfg()
    cfg.model.track_head.mask_pos_embd = True
    with pytest.raises(TypeError, match=r"\['mask_pos_embd'\]"):
        MODELS.build(cfg.model)
