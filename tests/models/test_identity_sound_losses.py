# Copyright (c) seavis_mm contributors. All rights reserved.
"""Identity contrastive loss, sounding BCE and AGCL's co-sounding fix, on
hand-made embeddings."""
import math

import torch
import torch.nn.functional as F

from seavis_mm.models.losses import (agcl_instance_loss,
                                     identity_contrast_loss,
                                     sounding_bce_loss)
from seavis_mm.registry import MODELS


def test_identity_loss_hand_computed():
    # one clip, 2 frames, 3 queries, 2-d embeddings; instance 5 is matched to
    # q0 in frame 0 and to q2 in frame 1; instance 6 only in frame 1 (q1)
    e = torch.tensor([[[[1., 0.], [0., 1.], [-1., 0.]],
                       [[0., -1.], [0., 1.], [0.6, 0.8]]]],
                     requires_grad=True)
    ids = torch.tensor([[[5, -1, -1], [-1, 6, 5]]])
    loss = identity_contrast_loss(e, ids, momentum=0.5, temperature=1.0)
    # only instance 5 at frame 1 has a memory (= e[0, 0] = [1, 0]); the
    # frame's logits against it are [0, 0, 0.6]; one memory: no reverse term
    logits = torch.tensor([0., 0., 0.6])
    expected = torch.logsumexp(logits, 0) - 0.6
    assert abs(loss.item() - expected.item()) < 1e-6
    loss.backward()
    g = e.grad[0]
    # descent pulls frame 1's q2 towards the memory and pushes q0/q1 away
    mem = torch.tensor([1., 0.])
    assert (-g[1, 2] @ mem) > 0
    assert (-g[1, 0] @ mem) < 0 and (-g[1, 1] @ mem) < 0


def test_identity_loss_across_a_silent_gap_and_momentum():
    # instance 1 matched in frames 0 and 1, silent (unmatched) in frame 2,
    # matched again in frame 3: its memory (momentum of frames 0, 1) is the
    # anchor at frame 3
    torch.manual_seed(0)
    e = F.normalize(torch.randn(1, 4, 3, 4), dim=-1)
    ids = torch.tensor([[[1, -1, -1], [-1, 1, -1], [-1, -1, -1],
                         [-1, -1, 1]]])
    loss = identity_contrast_loss(e, ids, momentum=0.25, temperature=0.5)
    m1 = e[0, 0, 0]
    m2 = F.normalize(0.75 * m1 + 0.25 * e[0, 1, 1], dim=0)

    def nce(frame, mem, q):
        logits = frame @ mem / 0.5
        return torch.logsumexp(logits, 0) - logits[q]

    expected = (nce(e[0, 1], m1, 1) + nce(e[0, 3], m2, 2)) / 2
    assert torch.allclose(loss, expected, atol=1e-6)


def test_identity_loss_reverse_term_and_registry():
    # two instances with memories: the query -> memories term appears
    e = F.normalize(torch.randn(1, 2, 3, 4), dim=-1)
    ids = torch.tensor([[[1, 2, -1], [2, 1, -1]]])
    fn = MODELS.build(
        dict(type='IdentityContrastLoss', temperature=1.0, momentum=1.0,
             loss_weight=2.0))
    mem = {1: e[0, 0, 0], 2: e[0, 0, 1]}
    mems = torch.stack([mem[1], mem[2]])
    terms = []
    for q, k in ((0, 2), (1, 1)):
        logits = e[0, 1] @ mem[k]
        terms.append(torch.logsumexp(logits, 0) - logits[q])
        logits = mems @ e[0, 1, q]
        terms.append(torch.logsumexp(logits, 0) - logits[k - 1])
    assert torch.allclose(fn(e, ids), 2.0 * torch.stack(terms).mean())


def test_identity_loss_without_terms_is_zero_with_grad():
    e = torch.randn(1, 3, 2, 4, requires_grad=True)
    ids = torch.tensor([[[1, -1], [-1, -1], [-1, 2]]])  # nobody seen twice
    loss = identity_contrast_loss(e, ids, 0.5, 0.1)
    assert loss.item() == 0
    loss.backward()


def test_sounding_bce_silent_frames():
    logits = torch.tensor([[2., -1., 0.], [0.5, 1., -2.]])
    pos = torch.tensor([[True, False, False], [False, False, False]])
    y = pos.float()
    per = -(y * F.logsigmoid(logits) + (1 - y) * F.logsigmoid(-logits))
    # silent frame 1 counts: every query of it is a negative
    assert torch.allclose(sounding_bce_loss(logits, pos), per.mean())
    # ablation: only frames with a sounding object
    assert torch.allclose(
        sounding_bce_loss(logits, pos, silent_frames=False), per[0].mean())
    fn = MODELS.build(
        dict(type='SoundingBCELoss', pos_weight=3.0, loss_weight=0.5))
    w = 1 + 2 * y
    assert torch.allclose(fn(logits, pos), 0.5 * (w * per).mean())
    # a silent frame's gradient lowers every logit of it
    lg = logits.clone().requires_grad_(True)
    sounding_bce_loss(lg, pos).backward()
    assert bool((lg.grad[1] > 0).all())
    lg.grad = None
    sounding_bce_loss(lg, pos, silent_frames=False).backward()
    assert bool((lg.grad[1] == 0).all())


def test_agcl_instance_excludes_cosounding_queries():
    # frame 0: instance 1 (q0) and 2 (q1) sound; frame 1: only instance 2
    # (q1) sounds and instance 1 is silent. Instance 2's embedding in frame 1
    # is the closest to instance 1's prototype, so without the fix it is
    # pushed as instance 1's silent look-alike although it sounds.
    e = F.normalize(torch.tensor([[[[1., 0.1], [0.9, 0.2], [0., 1.]],
                                   [[0., 1.], [1., 0.], [0.7, -0.7]]]]),
                    dim=-1).requires_grad_(True)
    p = F.normalize(torch.tensor([[[1., 0.], [1., 0.]]]), dim=-1)
    ids = torch.tensor([[[1, 2, -1], [-1, 2, -1]]])
    old = agcl_instance_loss(e, p, ids, 1.0)
    old.backward()
    assert e.grad[0, 1, 1].abs().sum() > 0  # the co-sounding query pushed
    e.grad = None
    new = agcl_instance_loss(e, p, ids, 1.0, exclude_cosounding=True)
    new.backward()
    assert e.grad[0, 1, 1].abs().sum() == 0  # left to the frame loss
    # the look-alike is now q2 of frame 1 (the best unmatched query)
    assert e.grad[0, 1, 2].abs().sum() > 0
    anchor = F.normalize(p[0, 0], dim=0)
    pos = (e[0, 0, 0] @ anchor).item()
    neg = (e[0, 1, 2] @ anchor).item()
    expected = math.log(math.exp(pos) + math.exp(neg)) - pos
    assert abs(new.item() - expected) < 1e-5


def test_drawn_targets_mark_every_query_on_a_sounding_object():
    """targets='drawn': a query is positive when its mask covers a sounding
    object, matched or not (two queries on one object are both
    positive); a query on the background or on half of it is not."""
    import pytest

    from seavis_mm.models.losses.sounding_loss import drawn_targets
    gt = torch.zeros(1, 32, 32)
    gt[0, 8:16, 8:16] = 1  # one sounding object, at 2x the mask size
    logits = torch.full((2, 4, 16, 16), -5.0)
    logits[0, 0, 4:8, 4:8] = 5  # exactly the object
    logits[0, 1, 4:8, 4:9] = 5  # the object and a column more: IoU 0.8
    logits[0, 2, 4:8, 4:6] = 5  # half of it: IoU 0.5
    logits[0, 3, 10:14, 10:14] = 5  # elsewhere
    logits[1, 0, 4:8, 4:8] = 5  # frame 1 has no sounding object
    out = drawn_targets(logits, [gt, gt.new_zeros(0, 32, 32)], 0.6)
    assert out.tolist() == [[True, True, False, False],
                            [False, False, False, False]]
    assert drawn_targets(logits, [gt, gt[:0]], 0.5)[0, 2]
    with pytest.raises(ValueError, match='targets'):
        MODELS.build(dict(type='SoundingBCELoss', targets='nearest'))


def test_drawn_targets_reach_the_sounding_loss(monkeypatch):
    """The head trains the sounding probability on the drawn targets of its
    last layer's masks and the frames' ground truth."""
    from seavis_mm.models.heads import seavis_head
    from ._tiny import build_tiny, synthetic_batch
    calls = []

    def spy(mask_logits, gt_masks, iou_thr):
        calls.append((mask_logits.shape, [len(g) for g in gt_masks],
                      iou_thr))
        return mask_logits.new_ones(mask_logits.shape[:2], dtype=torch.bool)

    monkeypatch.setattr(seavis_head, 'drawn_targets', spy)
    model = build_tiny('seavis_r18_toyavis_sound-drawn.py')
    model.train()
    data = model.data_preprocessor(synthetic_batch(), training=True)
    head = model.track_head
    captured = {}
    orig = head.sound_logits

    def keep(*args):
        captured['z'] = orig(*args)
        return captured['z']

    head.sound_logits = keep
    loss = model.loss(**data)['loss_sound']
    # 2 clips x 3 frames, 6 queries; frames have 2, 1, 2 sounding objects
    assert calls == [((6, 6, 16, 16), [2, 1, 2, 2, 1, 2], 0.5)]
    # every query positive: BCE against all ones, times the loss weight
    z = captured['z']
    expected = head.loss_sound.loss_weight * \
        F.binary_cross_entropy_with_logits(z, torch.ones_like(z))
    assert torch.allclose(loss, expected)
    assert build_tiny().track_head.loss_sound.targets == 'matched'
