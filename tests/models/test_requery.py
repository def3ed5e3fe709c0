# Copyright (c) seavis_mm contributors. All rights reserved.
"""Parts of a split mask run again through the last decoder layer
(``SeaVISHead.requery``): a part with its query's own attention mask gets
its query's outputs, other parts get their own, and a frame network without
the layer's inputs is refused by name."""
import pytest
import torch

from seavis_mm.models.heads.seavis_head import REQUERY_KEYS, SeaVISHead
from tests.models._tiny import build_tiny, synthetic_batch

META = dict(batch_input_shape=(64, 64), img_shape=(64, 64), ori_shape=(64, 64))


def _model(requery: bool = True):
    model = build_tiny().eval()
    model.track_head.split_components = \
        model.track_head._split_components_cfg(dict(requery=requery))
    return model


def _frame(model):
    data = model.data_preprocessor(
        synthetic_batch(num_clips=1, clip_len=1), training=False)
    imgs, audio = data['inputs']['imgs'][0], data['inputs']['audio'][0]
    sample = data['data_samples'][0][0]
    sample.set_metainfo(dict(frame_id=0, **META))
    with torch.no_grad():
        outputs, _ = model.forward_frame(imgs[:1], audio[:1],
                                         model.init_state())
    return outputs, sample


def _two_blob_logits(num_queries: int):
    cls = torch.full((num_queries, 6), -4.0)
    cls[:, 0] = 4.0  # every query a confident class-0 instance
    masks = torch.full((num_queries, 16, 16), -6.0)
    masks[0, 1:5, 1:5] = 6.0  # query 0 draws two look-alikes
    masks[0, 10:14, 10:14] = 6.0
    masks[1, 6:9, 1:4] = 6.0
    return cls, masks


def test_frame_outputs_carry_the_last_layer_inputs_only_when_asked():
    outputs, _ = _frame(_model())
    q, c = outputs['requery_query'].shape
    assert q == len(outputs['cls_logits'])
    h, w, c2 = outputs['requery_key'].shape
    assert c2 == c and outputs['requery_key_pos'].shape == (h, w, c)
    assert outputs['requery_attn_mask'].shape == (q, h * w)
    assert outputs['requery_attn_mask'].dtype == torch.bool
    # the exported frame network is unchanged without it
    plain, _ = _frame(_model(requery=False))
    assert not set(REQUERY_KEYS) & set(plain)
    assert torch.equal(plain['cls_logits'], outputs['cls_logits'])


def test_requery_with_its_querys_own_mask_gives_the_querys_outputs():
    model = _model()
    outputs, _ = _frame(model)
    index = torch.tensor([2, 5, 2])
    attend = ~outputs['requery_attn_mask'][index]
    with torch.no_grad():
        again = model.track_head.requery(outputs, attend, index)
    assert torch.allclose(
        again['cls_logits'], outputs['cls_logits'][index], atol=1e-5)
    for key in ('embeds', 'id_embeds', 'sound_logits'):
        assert torch.allclose(again[key], outputs[key][index], atol=1e-5)
    # another mask, other outputs
    other = torch.zeros_like(attend)
    other[:, :3] = True
    with torch.no_grad():
        moved = model.track_head.requery(outputs, other, index)
    assert not torch.allclose(moved['embeds'], again['embeds'], atol=1e-3)


def test_parts_of_a_split_mask_get_their_own_outputs():
    model = _model()
    seen = {}

    def record(**kwargs):
        seen.update(kwargs)

    model.tracker.track = record
    outputs, sample = _frame(model)
    num_queries = len(outputs['cls_logits'])
    outputs['cls_logits'], outputs['mask_logits'] = \
        _two_blob_logits(num_queries)
    with torch.no_grad():
        model.track_frame(outputs, sample)
    rows = num_queries + 1
    assert seen['masks'].shape[0] == rows
    grid = tuple(outputs['requery_key'].shape[:2])
    parts = seen['masks'][[0, num_queries]]
    with torch.no_grad():
        expect = model.track_head.requery(
            outputs, SeaVISHead.mask_to_grid(parts, grid, META),
            torch.tensor([0, 0]))
    for key, name in (('embeds', 'embeds'), ('id_embeds', 'id_embeds'),
                      ('sound_probs', 'sound_logits')):
        got = seen[key][[0, num_queries]]
        want = expect[name].sigmoid() if key == 'sound_probs' else \
            expect[name]
        assert torch.allclose(got, want, atol=1e-6)
        # the unsplit queries keep their own outputs
        full = outputs[name].sigmoid() if key == 'sound_probs' else \
            outputs[name]
        assert torch.equal(seen[key][1:num_queries], full[1:])
    # the two look-alikes no longer share an embedding
    assert not torch.allclose(seen['embeds'][0], seen['embeds'][num_queries])
    # a part's score is its own class probability x its mask quality
    probs = expect['cls_logits'].softmax(-1)[:, :-1]
    assert torch.equal(seen['labels'][[0, num_queries]], probs.argmax(-1))
    assert torch.all(seen['scores'][[0, num_queries]] <=
                     probs.max(-1).values + 1e-6)


def test_requery_without_the_layer_inputs_is_refused():
    model = _model()
    outputs, _ = _frame(model)
    del outputs['requery_key']
    with pytest.raises(ValueError, match='requery_key'):
        model.track_head.requery(outputs, torch.ones(1, 4, dtype=torch.bool),
                                 torch.tensor([0]))


def test_mask_to_grid_keeps_small_parts_and_the_padding_empty():
    masks = torch.zeros(2, 48, 60, dtype=torch.bool)
    masks[0, 46:48, 58:60] = True  # 2x2 pixels at the image's corner
    masks[1, :, :] = True
    meta = dict(batch_input_shape=(64, 64), img_shape=(48, 60))
    grid = SeaVISHead.mask_to_grid(masks, (8, 8), meta).view(2, 8, 8)
    # the image covers the top-left 6 x 8 (ceil) cells of the padded input
    assert grid[0].sum() == 1 and grid[0, 5, 7]
    assert grid[1, :6, :8].all() and not grid[1, 6:].any()


def test_requery_config_is_checked():
    head = build_tiny().track_head
    cfg = head._split_components_cfg(dict(requery=1))
    assert cfg['requery'] is True
    assert not SeaVISHead._split_components_cfg(dict())['requery']
    head.split_components = None
    assert not head.with_requery
