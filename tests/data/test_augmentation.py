# Copyright (c) seavis_mm contributors. All rights reserved.
"""The ToyAVIS training pipeline of configs/_base_/datasets/toyavis.py:
one draw of augmentation per clip, masks aligned with the pixels, audio
untouched."""
import json
import os.path as osp
import random
import shutil

import cv2
import numpy as np
import pytest
from mmengine.config import Config
from mmengine.dataset import Compose

from seavis_mm.datasets.audio import load_audio, patch_for_frame
from seavis_mm.datasets.toyavis import make_toyavis
from seavis_mm.datasets.toyavis_v2 import CATEGORY_HUES, hue_distance
from .avis_data_helpers import build, toy_dataset_cfg

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(ROOT, 'configs', '_base_', 'datasets', 'toyavis.py')


def _train_pipeline():
    return Config.fromfile(CONFIG).train_pipeline


@pytest.fixture(scope='module')
def v1_root(tmp_path_factory):
    """Style v1: one flat colour per category, so the pixels under a mask
    tell whose mask it is."""
    root = str(tmp_path_factory.mktemp('toyavis_v1'))
    make_toyavis(root, train_videos=3, val_videos=0, seed=4, style='v1')
    return root


def _unpacked(root, index, seed, num_frames=None):
    """One training clip through the config's pipeline up to (not
    including) PackAVISInputs, so the homography of each frame is kept;
    ``num_frames`` overrides the clip length."""
    random.seed(seed)
    np.random.seed(seed)
    pipeline = _train_pipeline()
    assert pipeline[-1]['type'] == 'PackAVISInputs'
    if num_frames is not None:
        assert pipeline[0]['type'] == 'AVISClipSample'
        pipeline[0]['num_frames'] = num_frames
    ds = build(toy_dataset_cfg(root, pipeline=[]))
    info = ds.get_data_info(index)
    return Compose(pipeline[:-1])(info), info


def _original_masks(info, frame_id):
    """The frame's ground-truth masks as the JSON has them, in the
    instances' order."""
    from mmdet.datasets.transforms import LoadTrackAnnotations
    frame = info['images'][frame_id]
    res = LoadTrackAnnotations(with_mask=True)(
        dict(instances=frame['instances'], ori_shape=(128, 128),
             height=128, width=128, img_shape=(128, 128)))
    return res['gt_masks'].masks


def test_masks_follow_the_pixels(v1_root):
    """Each frame's masks equal the original masks warped by the frame's
    homography (zoom, crop, flip), and the pixels under each mask show its
    category's colour after the colour changes."""
    n_masks = 0
    flips = set()
    for seed in range(6):
        # clips of 5 frames, more than the config's 2: more masks per draw
        res, info = _unpacked(v1_root, seed % 3, seed, num_frames=5)
        num_t = len(res['img'])
        flips.add(res['flip'][0])
        for t in range(num_t):
            img, masks = res['img'][t], res['gt_masks'][t].masks
            assert img.shape[:2] == (128, 128) and img.dtype == np.uint8
            h = res['homography_matrix'][t]
            orig = _original_masks(info, res['frame_id'][t])
            # RandomCrop drops instances pushed out of the frame
            ids = res['gt_instances_ids'][t]
            all_ids = [x['instance_id'] for x in
                       info['images'][res['frame_id'][t]]['instances']]
            for k, inst in enumerate(ids):
                src = orig[all_ids.index(inst)]
                warped = cv2.warpPerspective(src, h, (128, 128),
                                             flags=cv2.INTER_NEAREST)
                m = masks[k].astype(np.uint8)
                w = (warped > 0).astype(np.uint8)
                if min(m.sum(), w.sum()) < 30:
                    continue  # a sliver at the crop border
                # the same region up to 2 pixels at the border (nearest
                # resizing samples floor(x / scale), warping rounds)
                ring = np.ones((5, 5), np.uint8)
                assert (m & cv2.dilate(w, ring)).sum() / m.sum() > 0.99
                assert (w & cv2.dilate(m, ring)).sum() / w.sum() > 0.99
                core = cv2.erode(m.astype(np.uint8), np.ones((3, 3)))
                if core.sum() < 15:
                    continue
                # hue of the median colour (a median of hues would wrap)
                px = np.median(img[core > 0], 0).astype(np.float32)
                hue = cv2.cvtColor(px.reshape(1, 1, 3) / 255,
                                   cv2.COLOR_BGR2HSV)[0, 0, 0]
                label = res['gt_bboxes_labels'][t][k]
                assert np.argmin(hue_distance(hue, CATEGORY_HUES)) == label
                n_masks += 1
    assert n_masks > 30
    assert flips == {True, False}


def test_one_draw_per_clip(v1_root, tmp_path):
    """A video whose frames are all the same image with the same masks
    comes out as identical frames: every random parameter (zoom, crop,
    flip, hue, saturation, value, contrast) is drawn once per clip."""
    root = str(tmp_path / 'still')
    shutil.copytree(v1_root, root)
    with open(osp.join(root, 'train.json')) as f:
        data = json.load(f)
    video = data['videos'][0]
    img_root = osp.join(root, 'train', 'JPEGImages')
    for fn in video['file_names'][1:]:
        shutil.copyfile(osp.join(img_root, video['file_names'][0]),
                        osp.join(img_root, fn))
    for a in data['annotations']:
        if a['video_id'] == video['id']:
            for key in ('segmentations', 'bboxes', 'areas'):
                a[key] = [a[key][0]] * len(a[key])
    with open(osp.join(root, 'train.json'), 'w') as f:
        json.dump(data, f)
    outputs = []
    for seed in range(4):
        res, _ = _unpacked(root, 0, seed)
        for t in range(1, len(res['img'])):
            np.testing.assert_array_equal(res['img'][t], res['img'][0])
            np.testing.assert_array_equal(res['gt_masks'][t].masks,
                                          res['gt_masks'][0].masks)
            np.testing.assert_array_equal(res['homography_matrix'][t],
                                          res['homography_matrix'][0])
        outputs.append(res['img'][0])
    # ... while different clips get different draws
    assert any(not np.array_equal(outputs[0], o) for o in outputs[1:])


def test_audio_is_untouched(v1_root):
    res, info = _unpacked(v1_root, 1, 0)
    y = load_audio(res['audio_path'][0])
    for t, frame_id in enumerate(res['frame_id']):
        np.testing.assert_allclose(res['audio'][t][0],
                                   patch_for_frame(y, frame_id, 1.0),
                                   atol=1e-5)


def test_packed_clip(v1_root):
    """The whole pipeline still packs the config's frames of 128x128 with
    their audio."""
    random.seed(0)
    np.random.seed(0)
    num = Config.fromfile(CONFIG).num_frames
    ds = build(toy_dataset_cfg(v1_root, pipeline=_train_pipeline()))
    s = ds[0]
    assert s['inputs']['imgs'].shape == (num, 3, 128, 128)
    assert s['inputs']['audio'].shape == (num, 1, 96, 64)
    track = s['data_samples']
    assert len(track) == num
    for i in range(num):
        gt = track[i].gt_instances
        assert gt.masks.masks.shape[1:] == (128, 128)
        assert len(gt.labels) == len(gt.masks) == len(gt.instances_ids)
