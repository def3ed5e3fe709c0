# Copyright (c) seavis_mm contributors. All rights reserved.
"""SeaVISHead(mask_piloting=...): training's extra queries that attend
through their instance's ground-truth mask (MP-Former), invisible to the
matching queries."""
import pytest
import torch
from mmengine.structures import InstanceData

from seavis_mm.models.heads import mask2former_decode
from seavis_mm.models.heads.mask_piloting import (MaskPiloting,
                                                  piloted_attn_mask)
from ._tiny import build_tiny, synthetic_batch, tiny_cfg

CONFIG = 'seavis_r18_toyavis_mask-piloted.py'


def _gt(counts, size=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    out = []
    for n in counts:
        masks = torch.zeros((n, size, size), dtype=torch.long)
        for k in range(n):
            y, x = torch.randint(0, size - 16, (2, ), generator=g).tolist()
            masks[k, y:y + 16, x:x + 12] = 1
        labels = torch.randint(0, 5, (n, ), generator=g)
        out.append(InstanceData(labels=labels, masks=masks))
    return out


def test_attn_mask_opens_every_cell_the_mask_touches():
    masks = torch.zeros((1, 2, 16, 16))
    masks[0, 0, 5, 5] = 1  # one pixel: cell (1, 1) of a 4 x 4 grid
    masks[0, 1, :8, :] = 1  # top half
    blocked = piloted_attn_mask(masks, (4, 4), noise=0.0).view(1, 2, 4, 4)
    open0 = torch.zeros((4, 4), dtype=torch.bool)
    open0[1, 1] = True
    assert torch.equal(~blocked[0, 0], open0)
    assert (~blocked[0, 1, :2]).all() and blocked[0, 1, 2:].all()


def test_point_noise_flips_the_masks_share_of_cells():
    torch.manual_seed(0)
    masks = torch.zeros((1, 200, 32, 32))
    masks[:, :, :16] = 1  # half of every grid
    clean = piloted_attn_mask(masks, (32, 32), noise=0.0)
    noisy = piloted_attn_mask(masks, (32, 32), noise=0.2)
    flipped = (clean ^ noisy).float().mean().item()
    assert flipped == pytest.approx(0.2 * 0.5, abs=0.01)


def test_prepare_pads_groups_and_hides_piloted_queries():
    pilot = MaskPiloting(num_classes=5, embed_dims=8, groups=2,
                         mask_noise=0.0, label_noise=0.0)
    gt = _gt([2, 0, 1])
    p = pilot.prepare(gt, num_queries=3, attn_sizes=[(2, 2), (4, 4)])
    # 2 groups x the most instances of a frame (2)
    assert p.num_piloted == 4
    assert p.valid.tolist() == [[True, True, True, True],
                                [False] * 4,
                                [True, False, True, False]]
    assert p.labels[0, :2].tolist() == gt[0].labels.tolist()
    assert p.labels[0, 2:].tolist() == gt[0].labels.tolist()
    assert (p.labels[1] == 5).all()  # padding: "no object"
    assert (p.query_feat[1] == 0).all()
    assert set(p.attn_masks) == {(2, 2), (4, 4)}
    assert p.attn_masks[(4, 4)].shape == (3, 4, 16)
    sa = p.self_attn_mask
    assert sa.shape == (7, 7)
    assert sa[:3, 3:].all() and not sa[:3, :3].any()  # matching: blind
    assert not sa[3:, :3].any()  # piloted queries see the matching ones
    assert not sa[3:5, 3:5].any() and sa[3:5, 5:].all()  # groups apart
    assert not sa[5:, 5:].any() and sa[5:, 3:5].all()


def test_label_noise_only_in_training():
    pilot = MaskPiloting(num_classes=5, embed_dims=8, label_noise=1.0)
    gt = _gt([40])
    torch.manual_seed(0)
    pilot.eval()
    clean = pilot.prepare(gt, 3, [(4, 4)]).query_feat
    assert torch.equal(clean, pilot.label_embed(gt[0].labels)[None])
    pilot.train()
    noisy = pilot.prepare(gt, 3, [(4, 4)])
    # the input class is random, the target stays the true one
    assert not torch.equal(noisy.query_feat, clean)
    assert torch.equal(noisy.labels[0], gt[0].labels)


def test_invalid_args():
    with pytest.raises(ValueError, match='groups'):
        MaskPiloting(5, 8, groups=0)
    with pytest.raises(ValueError, match='mask_noise'):
        MaskPiloting(5, 8, mask_noise=1.5)
    cfg = tiny_cfg(CONFIG)
    cfg.model.track_head.query_loc_prior = dict()
    from seavis_mm.registry import MODELS
    with pytest.raises(ValueError, match='query_loc_prior'):
        MODELS.build(cfg.model)


def _head(layers=3):
    from seavis_mm.registry import MODELS
    cfg = tiny_cfg(CONFIG)
    cfg.model.track_head.transformer_decoder.num_layers = layers
    torch.manual_seed(0)
    return MODELS.build(cfg.model).track_head.eval()


def _features(head, batch=2, size=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    dims = head.transformer_decoder.embed_dims
    return (torch.randn(batch, dims, size // 4, size // 4, generator=g), [
        torch.randn(batch, dims, size // s, size // s, generator=g)
        for s in (32, 16, 8)
    ])


def _piloted(head, feats, counts=(2, 1), seed=0):
    sizes = [tuple(m.shape[-2:]) for m in feats[1]]
    return head.mask_piloting.prepare(
        _gt(counts, seed=seed), head.num_queries, sizes)


def test_matching_queries_decode_as_without_piloting():
    """The piloted queries change nothing the matching queries output (so
    inference, which has none, is what training optimised); without the
    self-attention mask they would."""
    head = _head()
    feats = _features(head)
    with torch.no_grad():
        cls0, masks0, q0 = mask2former_decode(head, *feats, True)
        piloted = _piloted(head, feats)
        cls1, masks1, q1 = mask2former_decode(head, *feats, True, piloted)
        leaky = _piloted(head, feats)
        leaky.self_attn_mask = torch.zeros_like(leaky.self_attn_mask)
        _, _, q_leak = mask2former_decode(head, *feats, True, leaky)
    layers = head.num_transformer_decoder_layers + 1
    assert len(piloted.cls_list) == len(piloted.mask_list) == layers
    assert piloted.mask_list[-1].shape == (2, 2, 16, 16)
    assert piloted.cls_list[-1].shape == (2, 2, head.num_classes + 1)
    assert q1.shape == q0.shape
    for a, b in zip(cls0 + masks0, cls1 + masks1):
        assert torch.allclose(a, b, atol=1e-5)
    assert torch.allclose(q0, q1, atol=1e-5)
    assert not torch.allclose(q0, q_leak, atol=1e-4)


def test_piloted_queries_follow_their_masks():
    """Another ground-truth mask, the same class: the piloted queries'
    outputs change (they attend through the mask), the matching ones'
    do not."""
    head = _head()
    feats = _features(head)
    with torch.no_grad():
        a = _piloted(head, feats, seed=0)
        b = _piloted(head, feats, seed=0)
        b.attn_masks = {
            k: torch.roll(v, shifts=v.shape[-1] // 2, dims=-1)
            for k, v in b.attn_masks.items()
        }
        _, _, qa = mask2former_decode(head, *feats, True, a)
        _, _, qb = mask2former_decode(head, *feats, True, b)
    assert torch.allclose(qa, qb, atol=1e-5)
    assert (a.mask_list[-1] - b.mask_list[-1]).abs().max() > 1e-3


def test_piloted_losses_train_the_label_embedding():
    model = build_tiny(CONFIG)
    model.train()
    data = model.data_preprocessor(synthetic_batch(), training=True)
    losses = model.loss(**data)
    for key in ('loss_pilot_cls', 'loss_pilot_mask', 'loss_pilot_dice'):
        assert losses[key].item() > 0
    sum(v for k, v in losses.items() if 'loss' in k).backward()
    grad = model.track_head.mask_piloting.label_embed.weight.grad
    assert grad is not None and grad.abs().sum() > 0
    # the full model has no piloted losses
    plain = build_tiny()
    plain.train()
    assert not any('pilot' in k for k in plain.loss(**data))


def test_no_instance_gives_zero_losses_with_the_same_keys():
    head = _head()
    feats = _features(head)
    piloted = head.mask_piloting.prepare(_gt([0, 0]), head.num_queries,
                                         [(2, 2), (4, 4), (8, 8)])
    assert piloted.num_piloted == 0
    mask2former_decode(head, *feats, True, piloted)
    losses = head.mask_piloting.loss(head, piloted)
    assert sorted(losses) == [
        'loss_pilot_cls', 'loss_pilot_dice', 'loss_pilot_mask'
    ]
    assert all(v.item() == 0 for v in losses.values())
