# Copyright (c) seavis_mm contributors. All rights reserved.
"""Training on every visible object: AVISegDataset(sounding_ann_file=...)
flags which visible instance sounds in which frame, and PackAVISInputs
carries the flag as gt_instances.sounding."""
import json

import numpy as np
import pycocotools.mask as mask_utils
import pytest
from .avis_data_helpers import build, mini_video, toy_dataset_cfg, write_mini

from seavis_mm.datasets import AVISDataError, make_toyavis
from seavis_mm.datasets.toyavis import mask_to_uncompressed_rle


def _box(y0, y1, x0, x1, h=16, w=20):
    m = np.zeros((h, w), np.uint8)
    m[y0:y1, x0:x1] = 1
    return mask_to_uncompressed_rle(m)


A, B = _box(2, 8, 2, 8), _box(9, 15, 10, 18)


def _two_files(root, sounding_anns, categories=None):
    """Visible file (train_visible.json): instance 11 (bell, A) in every
    frame, instance 12 (drum, B) in every frame. Sounding file
    (train.json): ``sounding_anns``."""
    visible = [
        dict(id=11, video_id=1, category_id=1, segmentations=[A, A, A]),
        dict(id=12, video_id=1, category_id=2, segmentations=[B, B, B]),
    ]
    write_mini(str(root), [mini_video()], visible, split='train')
    raw = json.load(open(root / 'train.json'))
    with open(root / 'train_visible.json', 'w') as f:
        json.dump(raw, f)
    raw['annotations'] = sounding_anns
    if categories is not None:
        raw['categories'] = categories
    with open(root / 'train.json', 'w') as f:
        json.dump(raw, f)
    return toy_dataset_cfg(str(root), ann_file='train_visible.json',
                           sounding_ann_file='train.json')


def test_flags_by_mask_and_category(tmp_path):
    """The two files number their annotations apart: an instance is the
    visible one with the same category and mask in that frame."""
    cfg = _two_files(tmp_path, [
        dict(id=1, video_id=1, category_id=1, segmentations=[None, A, None]),
        dict(id=2, video_id=1, category_id=2, segmentations=[B, None, B]),
    ])
    frames = build(cfg).get_data_info(0)['images']
    assert [len(f['instances']) for f in frames] == [2, 2, 2]
    assert [f['sounding_instance_ids'] for f in frames] == [[12], [11], [12]]


def test_without_sounding_file_no_flags(tmp_path):
    _two_files(tmp_path, [])
    frames = build(toy_dataset_cfg(str(tmp_path))).get_data_info(0)['images']
    assert all('sounding_instance_ids' not in f for f in frames)


@pytest.mark.parametrize('ann,pattern', [
    # the sounding mask is not a visible one's
    (dict(id=5, video_id=1, category_id=1,
          segmentations=[None, _box(0, 3, 0, 3), None]),
     r'annotation id 5 \(video id 1, frame 1, category_id 1\): no '
     'annotation of .*train_visible.json'),
    # same mask, other category
    (dict(id=6, video_id=1, category_id=2, segmentations=[A, None, None]),
     r'annotation id 6 \(video id 1, frame 0, category_id 2\): no'),
])
def test_unmatched_sounding_mask_is_refused(tmp_path, ann, pattern):
    cfg = _two_files(tmp_path, [ann])
    with pytest.raises(AVISDataError, match=pattern) as e:
        build(cfg)
    assert 'train.json' in str(e.value)


def test_other_categories_are_refused(tmp_path):
    cfg = _two_files(tmp_path, [], categories=[dict(id=1, name='bell')])
    with pytest.raises(AVISDataError, match='"categories" differ'):
        build(cfg)


def test_pack_flags_follow_kept_instances():
    """``gt_instances.sounding`` lines up with the instances that are left
    after the transforms, and the ignored rows go with them."""
    from seavis_mm.datasets.transforms import PackAVISInputs
    results = dict(
        img=[np.zeros((4, 4, 3), np.uint8)] * 2,
        img_id=[0, 1],
        gt_instances_ids=[np.array([5, 7, 9]), np.array([7, 9])],
        gt_bboxes_labels=[np.array([0, 1, 2]), np.array([1, 2])],
        gt_ignore_flags=[np.array([0, 0, 1]), np.array([0, 0])],
        sounding_instance_ids=[[7, 9], []],
        audio=[np.zeros((1, 96, 64), np.float32)] * 2)
    frames = PackAVISInputs().transform(results)['data_samples']
    first, second = frames.video_data_samples
    assert first.gt_instances.sounding.tolist() == [False, True]
    assert first.ignored_instances.sounding.tolist() == [True]
    assert second.gt_instances.sounding.tolist() == [False, False]


def test_generated_toyavis_flags(tmp_path):
    """On a generated ToyAVIS, the flagged instances of each frame are
    exactly the objects of the sounding-only file (same masks), and some
    visible objects are silent."""
    root = str(tmp_path)
    make_toyavis(root, train_videos=3, val_videos=0, seed=0,
                 write_visible=True)
    flagged = build(
        toy_dataset_cfg(root, ann_file='train_visible.json',
                        sounding_ann_file='train.json'))
    plain = build(toy_dataset_cfg(root))
    silent = 0
    for i in range(len(plain)):
        for f_vis, f_snd in zip(flagged.get_data_info(i)['images'],
                                plain.get_data_info(i)['images']):
            ids = set(f_vis['sounding_instance_ids'])
            rle = {
                inst['mask']['counts']
                for inst in f_vis['instances'] if inst['instance_id'] in ids
            }
            assert rle == {inst['mask']['counts']
                           for inst in f_snd['instances']}
            assert len(ids) == len(f_snd['instances'])
            silent += len(f_vis['instances']) - len(ids)
            for inst in f_vis['instances']:
                assert mask_utils.area(inst['mask']) > 0
    assert silent > 0


def test_bad_mask_in_either_file_names_it(tmp_path):
    bad = dict(size=[16, 20], counts=[5, 5])  # does not cover the frame
    cfg = _two_files(tmp_path, [
        dict(id=3, video_id=1, category_id=1, segmentations=[bad, None, None])
    ])
    with pytest.raises(AVISDataError,
                       match=r'train.json: annotation id 3, frame 0.*320'):
        build(cfg)
