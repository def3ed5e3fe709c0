# Copyright (c) seavis_mm contributors. All rights reserved.
"""Masks split into their connected components (look-alikes one query
draws as one mask): the split itself, the head's post-processing and the
embeddings each component takes to the tracker."""
import pytest
import torch

from seavis_mm.models.layers.mask_components import split_mask_components
from tests.models._tiny import build_tiny, synthetic_batch

H = W = 24


def _probs():
    """Query 0: two firm blobs (two look-alikes); query 1: one blob and a
    faint stray pixel group; query 2: one blob; query 3: not upsampled."""
    p = torch.full((4, H, W), 0.05)
    p[0, 2:8, 2:8] = 0.9
    p[0, 14:20, 14:20] = 0.8
    p[1, 2:10, 12:20] = 0.9
    p[1, 20:22, 2:4] = 0.55  # 4 pixels: under a fifth of the mask
    p[2, 10:16, 4:10] = 0.7
    p[3, 0:4, 0:4] = 0.9
    return p


def test_split_two_blobs_into_two_instances():
    p = _probs()
    cls = torch.tensor([0.8, 0.9, 0.6, 0.0])
    masks, scores, rows = split_mask_components(p, p > 0.5, cls)
    assert rows.tolist() == [0, 1, 2, 3, 0]
    # the larger (first by area; equal here, so the first found) keeps row 0
    assert masks[0].sum() == 36 and masks[4].sum() == 36
    assert not (masks[0] & masks[4]).any()
    assert torch.equal(masks[0] | masks[4], p[0] > 0.5)
    # each part scored over its own pixels: class x mean probability
    assert scores[0].item() == pytest.approx(0.8 * 0.9, abs=1e-5)
    assert scores[4].item() == pytest.approx(0.8 * 0.8, abs=1e-5)
    # a small stray component neither splits the mask nor is dropped
    assert torch.equal(masks[1], p[1] > 0.5)
    # the unsplit rows score as Mask2Former does
    whole = (p[1] * (p[1] > 0.5)).sum() / (p[1] > 0.5).sum()
    assert scores[1].item() == pytest.approx(0.9 * whole.item(), abs=1e-5)
    assert torch.equal(masks[2], p[2] > 0.5)
    # a query that was not upsampled (class score 0) stays one row, score 0
    assert scores[3].item() == 0


def test_min_area_frac_decides_what_is_an_instance():
    p = _probs()
    cls = torch.tensor([0.8, 0.9, 0.6, 0.0])
    # with a low enough share, the stray group of query 1 is a part too
    masks, _, rows = split_mask_components(p, p > 0.5, cls, min_area_frac=0.05)
    assert rows.tolist() == [0, 1, 2, 3, 0, 1]
    assert masks[5].sum() == 4
    # a minimum size in pixels keeps it whole again
    _, _, rows = split_mask_components(p,
                                       p > 0.5,
                                       cls,
                                       min_area_frac=0.05,
                                       min_pixels=5)
    assert rows.tolist() == [0, 1, 2, 3, 0]
    with pytest.raises(ValueError, match='min_area_frac'):
        split_mask_components(p, p > 0.5, cls, min_area_frac=0.6)


def test_diagonal_neighbours_are_one_component():
    p = torch.zeros(1, H, W)
    p[0, 2:6, 2:6] = 0.9
    p[0, 6:10, 6:10] = 0.9  # touches the first only at a corner
    masks, _, rows = split_mask_components(p, p > 0.5, torch.tensor([0.9]))
    assert rows.tolist() == [0] and masks.shape[0] == 1


META = dict(batch_input_shape=(64, 64), img_shape=(64, 64), ori_shape=(64, 64))


def _two_blob_logits():
    cls = torch.full((6, 6), -4.0)
    cls[:, 0] = 4.0  # every query a confident class-0 instance
    masks = torch.full((6, 16, 16), -6.0)
    masks[0, 1:5, 1:5] = 6.0
    masks[0, 10:14, 10:14] = 6.0
    masks[1, 6:9, 1:4] = 6.0
    return cls, masks


def test_head_splits_only_when_configured():
    head = build_tiny().track_head
    cls, masks = _two_blob_logits()
    plain = head.postprocess_frame(cls, masks, META, score_floor=0.5)
    assert 'query_index' not in plain and len(plain) == 6
    head.split_components = head._split_components_cfg(dict())
    split = head.postprocess_frame(cls, masks, META, score_floor=0.5)
    assert split.query_index.tolist() == [0, 1, 2, 3, 4, 5, 0]
    assert torch.equal(split.masks[0] | split.masks[6], plain.masks[0])
    assert torch.equal(split.masks[1:6], plain.masks[1:6])
    assert torch.equal(split.labels, plain.labels[split.query_index])
    assert torch.allclose(split.scores[1:6], plain.scores[1:6])


def test_head_split_config_is_checked():
    head = build_tiny().track_head
    with pytest.raises(TypeError, match='min_area'):
        head._split_components_cfg(dict(min_area=0.2))
    with pytest.raises(ValueError, match='min_area_frac'):
        head._split_components_cfg(dict(min_area_frac=0.0))


def test_track_frame_gives_each_component_its_query_embeddings():
    model = build_tiny().eval()
    model.track_head.split_components = \
        model.track_head._split_components_cfg(dict())
    seen = {}

    def record(**kwargs):
        seen.update(kwargs)
        return None

    model.tracker.track = record
    data = model.data_preprocessor(synthetic_batch(num_clips=1, clip_len=1),
                                   training=False)
    imgs, audio = data['inputs']['imgs'][0], data['inputs']['audio'][0]
    sample = data['data_samples'][0][0]
    sample.set_metainfo(
        dict(frame_id=0,
             batch_input_shape=(64, 64),
             img_shape=(64, 64),
             ori_shape=(64, 64)))
    with torch.no_grad():
        outputs, _ = model.forward_frame(imgs[:1], audio[:1],
                                         model.init_state())
    outputs['cls_logits'], outputs['mask_logits'] = _two_blob_logits()
    model.track_frame(outputs, sample)
    assert seen['masks'].shape[0] == 7
    for key, full in (('embeds', outputs['embeds']), ('id_embeds',
                                                      outputs['id_embeds']),
                      ('sound_probs', outputs['sound_logits'].sigmoid())):
        assert seen[key].shape[0] == 7
        assert torch.equal(seen[key][6], full[0])
        assert torch.equal(seen[key][:6], full)


def test_head_split_under_the_floor_and_index_of_parts():
    head = build_tiny().track_head
    head.split_components = head._split_components_cfg(dict())
    cls, masks = _two_blob_logits()
    cls[0] = torch.tensor([-4.0, -4, -4, -4, -4, 4])  # query 0: no object
    masks[2] = masks[0].clone()  # query 2 draws the two blobs instead
    out = head.postprocess_frame(cls, masks, META, score_floor=0.5)
    # query 0 is under the floor: score 0 and an empty mask, not split
    assert out.scores[0] == 0 and not out.masks[0].any()
    # the extra row is query 2's second blob (kept queries 1..5 are
    # re-indexed back to the frame's queries)
    assert out.query_index.tolist() == [0, 1, 2, 3, 4, 5, 2]
    assert torch.equal(out.masks[2] | out.masks[6],
                       head._upsample_masks(masks[2:3], META)[0][0])
    assert out.labels[6] == out.labels[2]
