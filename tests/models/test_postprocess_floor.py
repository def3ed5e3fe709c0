# Copyright (c) seavis_mm contributors. All rights reserved.
"""Upsampling only the queries that can pass the tracker's score threshold
changes nothing the tracker sees (issue 16: post-processing was the next
wall at 360p)."""
import copy

import torch

from tests.models._tiny import build_tiny, synthetic_batch

META = dict(batch_input_shape=(64, 64), img_shape=(60, 62),
            ori_shape=(90, 93))


def _logits(seed: int, q: int = 12, c: int = 5, h: int = 16):
    g = torch.Generator().manual_seed(seed)
    # a wide spread of class probabilities: some queries far above any
    # floor, some far below
    cls = torch.randn(q, c + 1, generator=g) * 4
    masks = torch.randn(q, h, h, generator=g) * 3
    return cls, masks


def test_floor_keeps_every_query_that_can_pass():
    head = build_tiny().track_head
    for seed in range(4):
        cls, masks = _logits(seed)
        full = head.postprocess_frame(cls, masks, META)
        floor = float(full.scores.median())
        part = head.postprocess_frame(cls, masks, META, score_floor=floor)
        assert part.masks.shape == full.masks.shape == (12, 90, 93)
        assert torch.equal(part.labels, full.labels)
        cls_scores = cls.softmax(-1)[:, :-1].max(-1).values
        kept = cls_scores > floor
        assert 0 < int(kept.sum()) < 12
        # kept queries: the same masks and scores, bit for bit
        assert torch.equal(part.masks[kept], full.masks[kept])
        assert torch.equal(part.scores[kept], full.scores[kept])
        # the others: score 0, empty mask; and none of them could have
        # passed the floor anyway
        assert not part.masks[~kept].any()
        assert torch.all(part.scores[~kept] == 0)
        assert torch.all(full.scores[~kept] <= floor)
        assert torch.equal(full.scores > floor, part.scores > floor)


def test_floor_above_every_query():
    head = build_tiny().track_head
    cls, masks = _logits(0)
    part = head.postprocess_frame(cls, masks, META, score_floor=1.0)
    assert part.masks.shape == (12, 90, 93)
    assert part.masks.dtype == torch.bool and not part.masks.any()
    assert torch.all(part.scores == 0)


def test_track_frame_same_as_upsampling_every_query():
    """Three frames through the tracker: outputs with the floor (what
    track_frame does) equal those of per-query masks for every query."""
    model = build_tiny().eval()
    tracker = model.tracker
    tracker.sound_prob_thr = 0.0
    tracker.match_thr = -1.0
    data = model.data_preprocessor(
        synthetic_batch(num_clips=1, clip_len=3), training=False)
    imgs, audio = data['inputs']['imgs'][0], data['inputs']['audio'][0]
    state = model.init_state()
    ref_tracker = copy.deepcopy(tracker)
    total = 0
    for t in range(3):
        sample = data['data_samples'][0][t]
        sample.set_metainfo(dict(frame_id=t))
        with torch.no_grad():
            outputs, state = model.forward_frame(imgs[t:t + 1],
                                                 audio[t:t + 1], state)
        # a ramp on the random head's no-object logit: class probabilities
        # from about 1 to about 0, so the floor drops some queries and
        # others pass the tracker
        cls = outputs['cls_logits'].clone()
        cls[:, 0] += 10.0
        cls[:, -1] += torch.linspace(-4.0, 20.0, cls.shape[0])
        outputs['cls_logits'] = cls
        probs = cls.softmax(-1)[:, :-1].max(-1).values
        assert bool((probs <= 0.3).any()) and bool((probs > 0.9).any())
        for trk in (tracker, ref_tracker):
            trk.score_thr = trk.init_score_thr = 0.3
        res = model.track_frame(outputs, sample)
        per_query = model.track_head.postprocess_frame(
            outputs['cls_logits'], outputs['mask_logits'], sample.metainfo)
        ref = ref_tracker.track(
            frame_id=t, embeds=outputs['embeds'], scores=per_query.scores,
            labels=per_query.labels, masks=per_query.masks,
            audio_anchor=outputs.get('anchor'),
            id_embeds=outputs.get('id_embeds'),
            sound_probs=outputs['sound_logits'].sigmoid())
        assert len(res) == len(ref)
        for key in ('masks', 'labels', 'scores', 'instances_id',
                    'sound_scores'):
            assert torch.equal(res.get(key), ref.get(key)), key
        total += len(res)
    assert total > 0


def test_mask_thr():
    """``track_head.mask_thr``: a lower threshold grows every mask (pixels
    are kept by probability), with or without the floor; 0.5 by default."""
    import pytest
    head = build_tiny().track_head
    assert head.mask_thr == 0.5
    cls, masks = _logits(1)
    base = head.postprocess_frame(cls, masks, META)
    head.mask_thr = 0.3
    low = head.postprocess_frame(cls, masks, META)
    low_floor = head.postprocess_frame(cls, masks, META, score_floor=0.0)
    assert torch.equal(low.masks, low_floor.masks)
    assert bool((low.masks | ~base.masks).all())  # a superset
    assert int(low.masks.sum()) > int(base.masks.sum())
    from tests.models._tiny import tiny_cfg
    from seavis_mm.registry import MODELS
    cfg = tiny_cfg()
    cfg.model.track_head.mask_thr = 1.0
    with pytest.raises(ValueError, match='mask_thr'):
        MODELS.build(cfg.model)
