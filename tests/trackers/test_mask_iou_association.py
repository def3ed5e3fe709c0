# Copyright (c) seavis_mm contributors. All rights reserved.
"""SoundAwareTracker(mask_iou_weight=...): association on the embedding
plus where the object is, for look-alikes whose embeddings are (nearly)
the same."""
import pytest
import torch
import torch.nn.functional as F

from seavis_mm.models.trackers import SoundAwareTracker

torch.set_num_threads(1)

H = W = 32


def box(x0: int, y0: int, size: int = 8, h: int = H, w: int = W):
    m = torch.zeros(h, w, dtype=torch.bool)
    m[y0:y0 + size, x0:x0 + size] = True
    return m


def lookalikes(left_embed, right_embed, x_left=2, x_right=20):
    """Two candidates of one class: query 0 draws the right object, query 1
    the left one (the query order says nothing about who is who)."""
    embeds = F.normalize(torch.stack([right_embed, left_embed]), dim=1)
    return dict(embeds=embeds,
                scores=torch.tensor([0.9, 0.9]),
                labels=torch.zeros(2, dtype=torch.long),
                masks=torch.stack([box(x_right, 10),
                                   box(x_left, 10)]))


def ids_left_right(res):
    """Track ids of the object on the left and the one on the right."""
    xs = [int(m.nonzero()[:, 1].float().mean()) for m in res.masks]
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    return [int(res.instances_id[i]) for i in order]


# frame 0: two look-alikes; frame 1: the same objects, barely moved, whose
# embeddings now resemble the *other* track's a little more (what look-alikes
# do: nothing in their appearance says which is which)
E0_LEFT, E0_RIGHT = torch.tensor([1.0, 0.10, 0]), torch.tensor([1.0, -0.10, 0])
E1_LEFT, E1_RIGHT = torch.tensor([1.0, -0.12, 0]), torch.tensor([1.0, 0.12, 0])


def run(weight):
    tracker = SoundAwareTracker(score_thr=0.5,
                                init_score_thr=0.5,
                                match_thr=0.5,
                                mask_iou_weight=weight)
    first = tracker.track(0, **lookalikes(E0_LEFT, E0_RIGHT))
    second = tracker.track(1, **lookalikes(E1_LEFT, E1_RIGHT, 3, 21))
    return ids_left_right(first), ids_left_right(second)


def test_embedding_alone_swaps_lookalikes():
    first, second = run(0.0)
    assert first != second == first[::-1]


@pytest.mark.parametrize('weight', [0.5, 1.0])
def test_mask_iou_keeps_lookalike_ids(weight):
    first, second = run(weight)
    assert first == second
    assert len(set(first)) == 2


def test_weight_zero_keeps_no_masks_and_matches_the_default():
    g = torch.Generator().manual_seed(0)
    frames = [(F.normalize(torch.randn(5, 4, generator=g),
                           dim=1), torch.rand(5, H, W, generator=g) > 0.7)
              for _ in range(6)]
    outs = []
    for kwargs in (dict(), dict(mask_iou_weight=0.0)):
        tracker = SoundAwareTracker(**kwargs)
        ids = []
        for t, (e, masks) in enumerate(frames):
            res = tracker.track(t, e, torch.full((5, ), 0.9),
                                torch.zeros(5, dtype=torch.long), masks)
            ids.append(res.instances_id.tolist())
        # no mask memory is kept without the IoU term
        assert tracker._masks.numel() == 0
        outs.append(ids)
    assert outs[0] == outs[1]
    assert sum(len(i) for i in outs[0]) == 30


def test_masks_pooled_keep_small_objects_and_follow_pops():
    tracker = SoundAwareTracker(mask_iou_weight=1.0, num_frames_retain=0)
    h, w = 360, 640
    tiny = torch.zeros(1, h, w, dtype=torch.bool)
    tiny[0, 100:102, 300:302] = True  # 2 x 2 pixels of a 360 x 640 frame
    pooled = tracker._pooled(tiny)
    assert max(pooled.shape[1:]) == SoundAwareTracker.IOU_GRID
    assert int(pooled.sum()) >= 1
    e = torch.eye(3)
    masks = torch.stack(
        [box(0, 0, 40, h, w),
         box(100, 0, 40, h, w),
         box(200, 0, 40, h, w)])
    tracker.track(0, e, torch.full((3, ), 0.9), torch.zeros(3,
                                                            dtype=torch.long),
                  masks)
    assert tracker._masks.shape[0] == tracker.num_live_tracks == 3
    # frame 1 sees only the second object: the other two tracks are
    # dropped (retain 0) and the memory's masks stay row-aligned
    res = tracker.track(1, e[1:2], torch.tensor([0.9]),
                        torch.zeros(1, dtype=torch.long), masks[1:2])
    assert tracker._masks.shape[0] == tracker.num_live_tracks == 1
    assert res.instances_id.tolist() == [1]
    assert torch.equal(tracker._masks[0], tracker._pooled(masks[1:2])[0])


def test_update_sim_thr_reads_the_cosine_not_the_iou_bonus():
    # a match accepted thanks to the IoU term (cos 0.3 < update_sim_thr)
    # keeps its id but does not move the memory
    tracker = SoundAwareTracker(score_thr=0.5,
                                init_score_thr=0.5,
                                match_thr=0.2,
                                update_sim_thr=0.5,
                                momentum=0.5,
                                mask_iou_weight=1.0)
    m = box(4, 4)[None]
    e0 = torch.tensor([[1.0, 0.0]])
    tracker.track(0, e0, torch.tensor([0.9]), torch.zeros(1).long(), m)
    e1 = F.normalize(torch.tensor([[0.3, 0.954]]), dim=1)
    res = tracker.track(1, e1, torch.tensor([0.9]), torch.zeros(1).long(), m)
    assert res.instances_id.tolist() == [0]
    assert torch.allclose(tracker._embeds[0], e0[0])


def test_negative_weight_is_refused():
    with pytest.raises(ValueError, match='mask_iou_weight'):
        SoundAwareTracker(mask_iou_weight=-0.1)


def test_frame_size_change_drops_the_iou_term_not_the_tracks():
    tracker = SoundAwareTracker(mask_iou_weight=1.0, match_thr=0.5)
    e = torch.eye(2)
    scores, labels = torch.full((2, ), 0.9), torch.zeros(2, dtype=torch.long)
    tracker.track(0, e, scores, labels,
                  torch.stack([box(0, 0), box(16, 16)]))
    # the next frame comes at another size: association on the embedding
    # alone keeps both ids
    big = torch.stack([box(0, 0, 8, 48, 48), box(30, 30, 8, 48, 48)])
    res = tracker.track(1, e, scores, labels, big)
    assert sorted(res.instances_id.tolist()) == [0, 1]
    # the memory now holds this size's masks, so the IoU term is back
    assert tracker._masks.shape == (2, 48, 48)
    assert torch.equal(tracker._masks, big)
