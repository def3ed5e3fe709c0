# Copyright (c) seavis_mm contributors. All rights reserved.
"""ClipCopyPaste: a second, shifted copy of one instance in every frame of
its clip, with its own id, occluding what lies under it."""
import random

import cv2
import numpy as np
import pytest
from mmengine.config import Config
from mmengine.dataset import Compose
import torch
from mmdet.structures.bbox import HorizontalBoxes
from mmdet.structures.mask import BitmapMasks

from seavis_mm.datasets.toyavis import make_toyavis
from seavis_mm.datasets.toyavis_v2 import CATEGORY_HUES, hue_distance
from seavis_mm.datasets.transforms import ClipCopyPaste
from seavis_mm.datasets.transforms.copy_paste import boxes_of
from .avis_data_helpers import build, toy_dataset_cfg
from .test_augmentation import ROOT

CONFIG = f'{ROOT}/configs/seavis/seavis_r18_toyavis_copy-paste.py'


def _square(y, x, size=10, shape=(64, 64)):
    m = np.zeros(shape, np.uint8)
    m[y:y + size, x:x + size] = 1
    return m


def _clip():
    """Two frames: instance 7 (label 2, moving right by 3 px) in both,
    instance 9 (label 4) only in the first; the image is a gradient, so
    every pixel has its own value."""
    yy, xx = np.mgrid[:64, :64]
    img = np.stack([yy * 4, xx * 4, (yy + xx) * 2], -1).astype(np.uint8)
    frames = [(_square(20, 10), _square(40, 40)), (_square(20, 13), None)]
    res = dict(img=[], gt_masks=[], gt_bboxes=[], gt_bboxes_labels=[],
               gt_instances_ids=[], gt_ignore_flags=[])
    for m7, m9 in frames:
        masks = [m7] + ([m9] if m9 is not None else [])
        res['img'].append(img.copy())
        res['gt_masks'].append(BitmapMasks(np.stack(masks), 64, 64))
        res['gt_bboxes'].append(np.zeros((len(masks), 4), np.float32))
        res['gt_bboxes_labels'].append(np.array([2, 4][:len(masks)]))
        res['gt_instances_ids'].append(np.array([7, 9][:len(masks)]))
        res['gt_ignore_flags'].append(np.zeros(len(masks), bool))
    return res


def _offset(src, dst):
    (ys, xs), (yd, xd) = np.nonzero(src), np.nonzero(dst)
    return yd.min() - ys.min(), xd.min() - xs.min()


@pytest.mark.parametrize('seed', range(8))
def test_copy_moves_with_its_source(seed):
    np.random.seed(seed)
    before = _clip()
    res = ClipCopyPaste(prob=1.0, min_visible=0.5)(_clip())
    offsets = set()
    for t in range(2):
        ids = res['gt_instances_ids'][t]
        # only instance 7 is in every frame, so it is the one copied
        assert ids[-1] == 7 + 10**7 and len(ids) == len(
            before['gt_instances_ids'][t]) + 1
        assert res['gt_bboxes_labels'][t][-1] == 2
        assert not res['gt_ignore_flags'][t][-1]
        masks = res['gt_masks'][t].masks.astype(bool)
        src = before['gt_masks'][t].masks[0].astype(bool)
        copy = masks[-1]
        assert copy.sum() == src.sum() == 100  # kept whole, in the frame
        dy, dx = _offset(src, copy)
        offsets.add((dy, dx))
        assert (dy, dx) != (0, 0)
        # the copy's pixels are the source's pixels, moved
        np.testing.assert_array_equal(
            res['img'][t][copy],
            before['img'][t][np.roll(copy, (-dy, -dx), (0, 1))])
        # everything else of the image is as it was
        np.testing.assert_array_equal(res['img'][t][~copy],
                                      before['img'][t][~copy])
        # occluded instances lose the covered pixels, keep at least half
        for k in range(len(masks) - 1):
            old = before['gt_masks'][t].masks[k].astype(bool)
            np.testing.assert_array_equal(masks[k], old & ~copy)
            assert masks[k].sum() >= 0.5 * old.sum()
        # tight boxes of the new masks, x1 y1 x2 y2
        ys, xs = np.nonzero(copy)
        np.testing.assert_array_equal(
            res['gt_bboxes'][t][-1],
            [xs.min(), ys.min(), xs.max() + 1, ys.max() + 1])
    # one offset for the whole clip
    assert len(offsets) == 1


def test_copy_sounds_where_its_source_does():
    """With every visible object annotated (``sounding_instance_ids``),
    the copy is flagged sounding in the frames where its source is."""
    np.random.seed(0)
    res = _clip()
    res['sounding_instance_ids'] = [[9], [7]]  # 7 silent, then sounding
    res = ClipCopyPaste(prob=1.0, min_visible=0.5)(res)
    assert res['sounding_instance_ids'] == [[9], [7, 7 + 10**7]]


def test_nothing_to_copy_or_not_drawn_leaves_the_clip():
    res = _clip()
    # no instance is in both frames: nothing is pasted
    res['gt_instances_ids'][1] = np.array([8])
    out = ClipCopyPaste(prob=1.0)(res)
    assert [len(i) for i in out['gt_instances_ids']] == [2, 1]
    np.random.seed(0)
    out = ClipCopyPaste(prob=0.0)(_clip())
    assert [len(i) for i in out['gt_instances_ids']] == [2, 1]
    np.testing.assert_array_equal(out['img'][0], _clip()['img'][0])


def test_crowded_frame_is_left_alone():
    """No offset leaves every instance half visible: no paste."""
    res = _clip()
    full = np.ones((64, 64), np.uint8)
    res['gt_masks'][1] = BitmapMasks(
        np.stack([_square(20, 13), full]), 64, 64)
    res['gt_instances_ids'][1] = np.array([7, 5])
    res['gt_bboxes_labels'][1] = np.array([2, 1])
    res['gt_ignore_flags'][1] = np.zeros(2, bool)
    res['gt_bboxes'][1] = np.zeros((2, 4), np.float32)
    # instance 5 covers the whole frame: a 100-pixel copy anywhere hides
    # part of it, allowed; but min_visible=1.0 allows no hiding at all
    np.random.seed(0)
    out = ClipCopyPaste(prob=1.0, min_visible=1.0)(res)
    assert [len(i) for i in out['gt_instances_ids']] == [2, 2]


def test_bad_input_and_arguments():
    with pytest.raises(KeyError, match='gt_masks'):
        ClipCopyPaste(prob=1.0)(dict(img=[np.zeros((4, 4, 3), np.uint8)],
                                     gt_instances_ids=[np.zeros(0)]))
    with pytest.raises(ValueError, match='prob'):
        ClipCopyPaste(prob=1.5)
    with pytest.raises(ValueError, match='min_visible'):
        ClipCopyPaste(min_visible=-0.1)
    with pytest.raises(ValueError, match='max_tries'):
        ClipCopyPaste(max_tries=0)


def test_config_pipeline_pastes_a_look_alike(tmp_path):
    """The copy-paste config's training pipeline, on style-v1 ToyAVIS (one
    flat colour a category): the pasted instance shows its category's
    colour, in every frame of the clip."""
    root = str(tmp_path / 'toy')
    make_toyavis(root, train_videos=3, val_videos=0, seed=4, style='v1')
    pipeline = Config.fromfile(CONFIG).train_pipeline
    assert [p['type'] for p in pipeline[1:3]] == [
        'TransformBroadcaster', 'ClipCopyPaste']
    pipeline[2]['prob'] = 1.0
    ds = build(toy_dataset_cfg(root, pipeline=[]))
    pasted = 0
    for seed in range(6):
        random.seed(seed)
        np.random.seed(seed)
        res = Compose(pipeline[:-1])(ds.get_data_info(seed % 3))
        for t in range(len(res['img'])):
            ids = res['gt_instances_ids'][t]
            copies = np.flatnonzero(ids >= 10**7)
            if len(copies) == 0:
                continue
            k = int(copies[0])
            core = cv2.erode(res['gt_masks'][t].masks[k], np.ones((3, 3)))
            if core.sum() < 15:
                continue
            px = np.median(res['img'][t][core > 0], 0).astype(np.float32)
            hue = cv2.cvtColor(px.reshape(1, 1, 3) / 255,
                               cv2.COLOR_BGR2HSV)[0, 0, 0]
            label = res['gt_bboxes_labels'][t][k]
            assert np.argmin(hue_distance(hue, CATEGORY_HUES)) == label
            assert ids[k] - 10**7 in ids
            pasted += 1
    assert pasted >= 4


@pytest.mark.parametrize('seed', range(8))
def test_max_shift_puts_the_copy_beside_its_source(seed):
    """With ``max_shift`` 1.5 the 10-pixel source moves at most 15 pixels
    along each axis; without it, offsets reach across the frame."""
    np.random.seed(seed)
    before = _clip()
    res = ClipCopyPaste(prob=1.0, max_shift=1.5)(_clip())
    # the union box of the source over the clip is 10 x 13 (it moves by 3)
    dy, dx = _offset(before['gt_masks'][0].masks[0],
                     res['gt_masks'][0].masks[-1])
    assert (dy, dx) != (0, 0)
    assert max(abs(dy), abs(dx)) <= 15
    with pytest.raises(ValueError, match='max_shift'):
        ClipCopyPaste(max_shift=0.0)


def test_without_max_shift_offsets_reach_far():
    far = 0
    for seed in range(20):
        np.random.seed(seed)
        before = _clip()
        res = ClipCopyPaste(prob=1.0)(_clip())
        dy, dx = _offset(before['gt_masks'][0].masks[0],
                         res['gt_masks'][0].masks[-1])
        far += max(abs(dy), abs(dx)) > 15
    assert far >= 5


def test_boxes_keep_the_annotations_box_type():
    """numpy boxes stay numpy (ToyAVIS's loading), mmdet box structures
    stay box structures of the same dtype."""
    masks = BitmapMasks(np.stack([_square(20, 10)]), 64, 64)
    as_numpy = boxes_of(masks, np.zeros((0, 4), np.float32))
    assert isinstance(as_numpy, np.ndarray) and as_numpy.dtype == np.float32
    np.testing.assert_array_equal(as_numpy, [[10, 20, 20, 30]])
    as_boxes = boxes_of(masks, HorizontalBoxes(torch.zeros((0, 4))))
    assert isinstance(as_boxes, HorizontalBoxes)
    assert as_boxes.dtype == torch.float32
    np.testing.assert_array_equal(as_boxes.numpy(), [[10, 20, 20, 30]])
