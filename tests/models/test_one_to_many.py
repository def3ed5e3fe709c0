# Copyright (c) seavis_mm contributors. All rights reserved.
"""One-to-many targets from the drawn masks (SeaVISHead ``one_to_many``):
the assignment, the identity loss's extra positives and the class targets
of the head."""
import pytest
import torch
import torch.nn.functional as F
from mmengine.structures import InstanceData

from seavis_mm.models.layers.drawn_assignment import drawn_assignment
from seavis_mm.models.losses import identity_contrast_loss
from ._tiny import build_tiny, synthetic_batch, tiny_cfg

O2M = 'seavis_r18_toyavis_query-loc_one-to-many.py'


def _two_objects():
    """Two ground-truth squares on a 32 x 32 frame and 5 queries' logits at
    16 x 16: q0, q1 on object 0, q2 on object 1, q3 on half of object 1,
    q4 on the background."""
    gt = torch.zeros(2, 32, 32)
    gt[0, 0:8, 0:8] = 1
    gt[1, 16:24, 16:24] = 1
    logits = torch.full((5, 16, 16), -5.0)
    logits[0, 0:4, 0:4] = 5
    logits[1, 0:4, 0:5] = 5  # object 0 and a column more: IoU 0.8
    logits[2, 8:12, 8:12] = 5
    logits[3, 8:12, 8:10] = 5  # IoU 0.5
    logits[4, 13:16, 0:3] = 5
    return logits, gt


def test_drawn_assignment_names_the_drawn_instance():
    logits, gt = _two_objects()
    assert drawn_assignment(logits, gt, 0.6).tolist() == [0, 0, 1, -1, -1]
    assert drawn_assignment(logits, gt, 0.5).tolist() == [0, 0, 1, 1, -1]
    # a mask over both objects draws the one it overlaps most
    both = torch.full((1, 16, 16), -5.0)
    both[0, 0:4, 0:4] = 5
    both[0, 8:12, 8:10] = 5
    assert drawn_assignment(both, gt, 0.3).tolist() == [0]
    assert drawn_assignment(logits, gt[:0], 0.5).tolist() == [-1] * 5


def test_identity_loss_extra_positives():
    # instance 5: q0 in frame 0 (its memory); in frame 1 matched to q2, and
    # q0 draws it too (an extra positive)
    e = F.normalize(torch.randn(1, 2, 3, 4), dim=-1)
    ids = torch.tensor([[[5, -1, -1], [-1, -1, 5]]])
    none = torch.full_like(ids, -1)
    base = identity_contrast_loss(e, ids, 0.5, 0.5)
    # no extra positive: exactly the one-to-one loss
    assert torch.equal(identity_contrast_loss(e, ids, 0.5, 0.5, none), base)
    extra = none.clone()
    extra[0, 1, 0] = 5
    loss = identity_contrast_loss(e, ids, 0.5, 0.5, extra)
    logits = e[0, 1] @ e[0, 0, 0] / 0.5
    expected = torch.logsumexp(logits, 0) - torch.logsumexp(logits[[2, 0]],
                                                            0)
    assert torch.allclose(loss, expected, atol=1e-6)
    # the drawn duplicate is pulled towards the memory, not pushed away
    e0 = e.clone().requires_grad_(True)
    identity_contrast_loss(e0, ids, 0.5, 0.5, extra).backward()
    assert float(-e0.grad[0, 1, 0] @ e[0, 0, 0]) > 0
    e1 = e.clone().requires_grad_(True)
    identity_contrast_loss(e1, ids, 0.5, 0.5).backward()
    assert float(-e1.grad[0, 1, 0] @ e[0, 0, 0]) < 0


def test_class_targets_one_to_many():
    """An unmatched query drawing an instance takes its class; the matched
    one and the mask targets are as Mask2Former's; background stays."""
    logits, gt = _two_objects()
    gt_instances = InstanceData(labels=torch.tensor([1, 3]), masks=gt)
    cls = torch.zeros(5, 6)
    meta = dict(img_shape=(32, 32), batch_input_shape=(32, 32))
    plain = build_tiny(O2M).track_head
    plain.num_queries = 5
    torch.manual_seed(0)
    ref = plain.__class__.__mro__[1]._get_targets_single(
        plain, cls, logits, gt_instances, meta)
    torch.manual_seed(0)
    out = plain._get_targets_single(cls, logits, gt_instances, meta)
    matched = ref[4].tolist()  # Hungarian positives
    assert len(matched) == 2
    expected = [1, 1, 3, 3, 5]  # iou_thr 0.5: q3 draws object 1
    for q in matched:
        assert ref[0][q] == expected[q]
    assert out[0].tolist() == expected
    assert torch.equal(out[2], ref[2]) and torch.equal(out[3], ref[3])
    plain.one_to_many['cls'] = False
    torch.manual_seed(0)
    off = plain._get_targets_single(cls, logits, gt_instances, meta)
    assert torch.equal(off[0], ref[0])


def test_identity_extra_ids_reach_the_loss(monkeypatch):
    """The head passes the final layer's drawn instances of the unmatched
    queries, as instance ids, to the identity loss."""
    from seavis_mm.models.heads import seavis_head
    model = build_tiny(O2M)
    model.train()
    head = model.track_head
    # every query draws the frame's first instance (id 11 in every frame)
    monkeypatch.setattr(
        seavis_head, 'drawn_assignment',
        lambda logits, gt, thr: torch.zeros(len(logits), dtype=torch.long))
    seen = {}
    orig = head.loss_identity.forward

    def spy(embeds, match_ids, extra_ids=None):
        seen['match'], seen['extra'] = match_ids, extra_ids
        return orig(embeds, match_ids, extra_ids)

    monkeypatch.setattr(head.loss_identity, 'forward', spy)
    data = model.data_preprocessor(synthetic_batch(), training=True)
    losses = model.loss(**data)
    assert torch.isfinite(losses['loss_identity'])
    match, extra = seen['match'], seen['extra']
    assert extra.shape == match.shape == (2, 3, 6)
    assert ((extra == 11) == (match < 0)).all()
    assert (extra[match >= 0] == -1).all()


def test_one_to_many_config_is_checked():
    from seavis_mm.registry import MODELS
    cfg = tiny_cfg(O2M).model.track_head
    assert build_tiny(O2M).track_head.one_to_many == dict(
        iou_thr=0.5, cls=True, identity=True)
    tracker = build_tiny(O2M).tracker
    # the tracker calibrated on toyavis_calib for this variant (session 12)
    assert (tracker.mask_nms_thr, tracker.score_thr, tracker.init_score_thr,
            tracker.mask_iou_weight) == (0.05, 0.7, 0.7, 0.5)
    assert build_tiny().track_head.one_to_many is None
    for bad, err in ((dict(iou=0.5), TypeError), (dict(iou_thr=0.0),
                                                    ValueError)):
        c = cfg.copy()
        c.one_to_many = bad
        with pytest.raises(err, match='one_to_many'):
            MODELS.build(c)
    c = cfg.copy()
    c.loss_identity = None
    c.one_to_many = dict(identity=True)
    with pytest.raises(ValueError, match='loss_identity'):
        MODELS.build(c)
