# Copyright (c) seavis_mm contributors. All rights reserved.
"""The one-to-many query branch of training (SeaVISHead hybrid,
HybridBranch: H-DETR's hybrid matching)."""
import pytest
import torch
from mmengine.optim import OptimWrapper
from mmengine.structures import InstanceData

from seavis_mm.models.heads.hybrid_branch import (HybridBranch,
                                                  group_attn_mask,
                                                  repeat_instances)
from seavis_mm.registry import MODELS
from ._tiny import (build_with_head_option, loss_backward, synthetic_batch,
                    tiny_cfg)

CONFIG = 'seavis_r18_toyavis_hybrid.py'
LOC_CONFIG = 'seavis_r18_toyavis_query-loc_votes_hybrid.py'


def test_group_mask_keeps_the_groups_apart():
    mask = group_attn_mask(2, 3)
    assert mask.shape == (5, 5) and mask.dtype == torch.bool
    assert not mask[:2, :2].any() and not mask[2:, 2:].any()
    assert mask[:2, 2:].all() and mask[2:, :2].all()


def test_repeated_targets():
    gt = InstanceData(labels=torch.tensor([1, 3]),
                      masks=torch.rand(2, 8, 8) > 0.5)
    out = repeat_instances(gt, 3)
    assert out.labels.tolist() == [1, 3] * 3
    assert torch.equal(out.masks[4], gt.masks[0])
    assert out.masks.shape == (6, 8, 8)
    with pytest.raises(ValueError, match='repeat'):
        HybridBranch(8, repeat=0)
    with pytest.raises(ValueError, match='loss_weight'):
        HybridBranch(8, loss_weight=0.0)


def _decode(model, hybrid=None):
    head = model.track_head
    torch.manual_seed(1)
    mask_features = torch.randn(2, head.pixel_decoder.mask_feature
                                .out_channels, 16, 16)
    memorys = [torch.randn(2, 128, s, s) for s in (2, 4, 8)]
    return head.decode(mask_features, memorys, all_masks=True,
                       hybrid=hybrid)


@pytest.mark.parametrize('config', [CONFIG, LOC_CONFIG])
def test_one_to_one_queries_do_not_see_the_branch(config):
    """The one-to-one outputs are the same with and without the branch
    decoded beside them (the self-attention mask), so inference, which
    decodes them alone, is what training trained."""
    model = build_with_head_option(config, 'hybrid')
    model.eval()
    head = model.track_head
    with torch.no_grad():
        cls_a, mask_a, feat_a = _decode(model)
        hybrid = head.hybrid_queries(2)
        cls_b, mask_b, feat_b = _decode(model, hybrid)
    assert feat_b.shape == feat_a.shape == (2, head.num_queries, 128)
    for a, b in zip(cls_a + mask_a, cls_b + mask_b):
        assert a.shape == b.shape
        torch.testing.assert_close(a, b, atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(feat_a, feat_b, atol=1e-4, rtol=1e-4)
    # the branch's own outputs, one per layer and the initial queries
    assert len(hybrid.cls_list) == len(cls_a)
    assert hybrid.cls_list[-1].shape == (2, 60, head.num_classes + 1)
    assert hybrid.mask_list[-1].shape == (2, 60, 16, 16)
    # and without the mask the branch would change them
    hybrid.self_attn_mask = torch.zeros_like(hybrid.self_attn_mask)
    hybrid.cls_list, hybrid.mask_list = [], []
    with torch.no_grad():
        cls_c, _, _ = _decode(model, hybrid)
    assert not torch.allclose(cls_a[-1], cls_c[-1], atol=1e-4)


def test_branch_matches_each_instance_repeat_times():
    model = build_with_head_option(CONFIG, 'hybrid')
    head = model.track_head
    masks = torch.zeros(2, 16, 16)
    masks[0, 2:8, 2:8] = 1
    masks[1, 9:15, 9:15] = 1
    gt = InstanceData(labels=torch.tensor([1, 3]), masks=masks.long())
    queries = head.hybrid_queries(1)
    torch.manual_seed(2)
    queries.cls_list = [torch.randn(1, 60, head.num_classes + 1)]
    queries.mask_list = [torch.randn(1, 60, 16, 16)]
    head._sampling_log = []
    losses = head.hybrid.loss(head, queries, [gt],
                              [dict(img_shape=(16, 16), pad_shape=(16, 16))])
    assert set(losses) == {'o2m.loss_cls', 'o2m.loss_mask', 'o2m.loss_dice'}
    result = head._sampling_log[-1]
    assert len(result.pos_inds) == 2 * 3
    assert sorted((result.pos_assigned_gt_inds % 2).tolist()) == \
        [0, 0, 0, 1, 1, 1]
    queries.cls_list = []
    with pytest.raises(RuntimeError, match='not'):
        head.hybrid.loss(head, queries, [gt], [{}])


@pytest.mark.parametrize('config', [CONFIG, LOC_CONFIG])
def test_training_step_trains_the_branch(config):
    model = build_with_head_option(config, 'hybrid')
    losses = loss_backward(model)
    for name in ('o2m.loss_cls', 'o2m.loss_mask', 'o2m.loss_dice',
                 'o2m.d0.loss_cls', 'loss_cls', 'loss_identity'):
        assert torch.isfinite(losses[name]), name
    hybrid = model.track_head.hybrid
    assert hybrid.query_feat.weight.grad.abs().sum() > 0
    # the shared decoder layers learn from both groups
    layer = model.track_head.transformer_decoder.layers[0]
    assert layer.ffn.layers[0][0].weight.grad.abs().sum() > 0
    assert model.track_head._sampling_log == []
    if config == LOC_CONFIG:
        assert hybrid.ref_logits is not None
        assert 'loss_votes' in losses


def test_trains_and_predicts_with_the_one_to_one_queries_alone():
    model = build_with_head_option(CONFIG, 'hybrid')
    model.train()
    optim = OptimWrapper(torch.optim.AdamW(model.parameters(), lr=1e-3))
    for _ in range(2):
        assert torch.isfinite(model.train_step(synthetic_batch(),
                                               optim)['loss'])
    head = model.track_head
    decoded = []
    decode = head.decode

    def recording(*args, **kwargs):
        out = decode(*args, **kwargs)
        decoded.append((kwargs.get('hybrid'), out[0][-1].shape))
        return out

    head.decode = recording
    model.eval()
    with torch.no_grad():
        out = model.test_step(synthetic_batch(num_clips=1, clip_len=3))
    assert len(out[0]) == 3 and len(decoded) == 3
    assert all(h is None and shape[1] == head.num_queries
               for h, shape in decoded)


def test_hybrid_refuses_other_query_groups():
    cfg = tiny_cfg(CONFIG)
    cfg.model.track_head.one_to_many = dict()
    with pytest.raises(ValueError, match='one_to_many'):
        MODELS.build(cfg.model)
    cfg = tiny_cfg(CONFIG)
    cfg.model.track_head.hybrid = dict(groups=2)
    with pytest.raises(TypeError, match='groups'):
        MODELS.build(cfg.model)
