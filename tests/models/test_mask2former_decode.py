# Copyright (c) seavis_mm contributors. All rights reserved.
"""Inference computes only the last decoder layer's full-resolution masks,
and gets the same outputs as mmdet's every-layer decoder."""
import copy

import pytest
import torch
from mmdet.models.dense_heads import Mask2FormerHead

from seavis_mm.models.heads import mask2former_decode
from seavis_mm.registry import MODELS
from tests.models._tiny import tiny_cfg


def _head(layers=3, queries=7):
    cfg = tiny_cfg()
    cfg.model.track_head.transformer_decoder.num_layers = layers
    cfg.model.track_head.num_queries = queries
    torch.manual_seed(0)
    return MODELS.build(cfg.model).track_head.eval()


def _features(head, size=(48, 80), seed=0, batch=1):
    g = torch.Generator().manual_seed(seed)
    dims = head.transformer_decoder.embed_dims
    h, w = size
    mask_features = torch.randn(batch, dims, h // 4, w // 4, generator=g)
    memorys = [
        torch.randn(batch, dims, h // s, w // s, generator=g)
        for s in (32, 16, 8)
    ]
    return mask_features, memorys


@pytest.mark.parametrize('seed, batch', [(0, 1), (1, 1), (2, 2)])
def test_last_masks_only_equals_every_layer(seed, batch):
    """One frame (its attention mask shared by the heads) and a batch."""
    head = _head()
    feats = _features(head, seed=seed, batch=batch)
    with torch.no_grad():
        cls_all, masks_all, q_all = mask2former_decode(head, *feats, True)
        cls_last, masks_last, q_last = mask2former_decode(head, *feats, False)
    assert len(masks_last) == len(masks_all) == 4
    assert all(m is None for m in masks_last[:-1])
    assert all(m is not None for m in masks_all)
    assert masks_last[-1].shape == masks_all[-1].shape == (batch, 7, 12, 20)
    # the attention masks agree, so every layer's queries do
    for a, b in zip(cls_all, cls_last):
        assert torch.allclose(a, b, atol=1e-5)
    assert torch.allclose(q_all, q_last, atol=1e-5)
    assert torch.allclose(masks_all[-1], masks_last[-1], atol=1e-5)


def test_attention_masks_are_used():
    """The cheap path still masks the cross-attention: with a mask that
    differs per query the final queries differ from unmasked ones."""
    head = _head()
    feats = _features(head)
    with torch.no_grad():
        _, _, masked = mask2former_decode(head, *feats, False)
        # mask features of zeros: every logit 0, sigmoid 0.5, nothing masked
        _, _, unmasked = mask2former_decode(
            head, torch.zeros_like(feats[0]), feats[1], False)
    assert not torch.allclose(masked, unmasked, atol=1e-3)


def test_seavis_head_decode_modes():
    """Training decodes every layer's masks (deep supervision), inference
    only the last unless ``test_all_masks``."""
    head = _head()
    feats = _features(head)
    with torch.no_grad():
        _, masks, _ = head.decode(*feats)
        assert [m is None for m in masks] == [True, True, True, False]
        head.train()
        _, masks, _ = head.decode(*feats)
        assert all(m is not None for m in masks)
        head.eval()
        head.test_all_masks = True
        _, masks, _ = head.decode(*feats)
        assert all(m is not None for m in masks)


def test_reference_gets_the_same_decoder():
    """The benchmark's plain Mask2Former decodes like SeaVIS (last masks
    only) and predicts what mmdet's own forward does."""
    from seavis_mm.benchmark.models import (build_reference,
                                            decode_reference_like_seavis)
    cfg = tiny_cfg()
    cfg.model.backbone.init_cfg = None
    reference, _ = build_reference(cfg, torch.device('cpu'))
    reference.eval()
    head = reference.panoptic_head
    assert type(head) is Mask2FormerHead
    x = [
        torch.randn(1, c, 64 // s, 64 // s)
        for c, s in zip((64, 128, 256, 512), (4, 8, 16, 32))
    ]
    with torch.no_grad():
        cls_ref, masks_ref = head(x, [])
        lazy = copy.deepcopy(reference)
        decode_reference_like_seavis(lazy, all_masks=False)
        cls_out, masks_out = lazy.panoptic_head(x, [])
    assert masks_out[0] is None and masks_ref[0] is not None
    assert torch.allclose(cls_out[-1], cls_ref[-1], atol=1e-5)
    assert torch.allclose(masks_out[-1], masks_ref[-1], atol=1e-5)
