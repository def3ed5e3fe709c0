# Copyright (c) seavis_mm contributors. All rights reserved.
"""tagging_by_sources: what an audio tagger names, per kind of frame."""
import numpy as np
import pytest

from seavis_mm.evaluation.functional import (format_tagging,
                                             tagging_by_sources)


def test_hand_made_frames():
    probs = np.array([
        [0.1, 0.1, 0.1],  # none, right
        [0.9, 0.1, 0.6],  # single (0): a false positive (2)
        [0.1, 0.8, 0.1],  # two of category 1: right
        [0.9, 0.2, 0.1],  # kinds 0 and 1: 1 missed
        [0.9, 0.7, 0.1],  # kinds 0 and 1: right
    ])
    labels = [[], [0], [1, 1], [0, 1], [1, 0]]
    out = tagging_by_sources(probs, labels)
    assert out['none'] == dict(frames=1, category_recall=None,
                               false_positive=0.0, exact=100.0)
    assert out['single'] == dict(frames=1, category_recall=100.0,
                                 false_positive=50.0, exact=0.0)
    assert out['multiple_one_kind']['exact'] == 100.0
    assert out['multiple_kinds'] == dict(frames=2, category_recall=75.0,
                                         false_positive=0.0, exact=50.0)
    table = format_tagging('m', out)
    assert 'multiple_kinds' in table and '75.0' in table
    # a stricter threshold names less
    assert tagging_by_sources(probs, labels, thr=0.85)[
        'multiple_kinds']['category_recall'] == 50.0


def test_shape_mismatch():
    with pytest.raises(ValueError, match='for 2 frames'):
        tagging_by_sources(np.zeros((3, 2)), [[0], [1]])


def test_split_dataset_takes_the_splits_own_data_root():
    """A config that trains on one set and validates on another (the
    default recipe: the larger ToyAVIS set, which has no val split) is
    tagged on its own val set; the training root is the fallback."""
    from mmengine.config import Config

    from seavis_mm.evaluation.audio_tag_recording import split_dataset_cfg
    prefix = dict(img_path='train/JPEGImages', audio_path='train/WAVAudios')
    cfg = Config(
        dict(
            train_dataloader=dict(
                dataset=dict(type='AVISegDataset', data_root='data/large',
                             ann_file='train.json', data_prefix=prefix)),
            val_dataloader=dict(
                dataset=dict(type='AVISegDataset', data_root='data/toyavis',
                             ann_file='val.json')),
            test_dataloader=None))
    val = split_dataset_cfg(cfg, 'val')
    assert val.data_root == 'data/toyavis'
    assert val.ann_file == 'val.json'
    assert val.data_prefix['audio_path'] == 'val/WAVAudios'
    assert split_dataset_cfg(cfg, 'train').data_root == 'data/large'
    # no test set in the config: the training set's root
    assert split_dataset_cfg(cfg, 'test').data_root == 'data/large'
    assert split_dataset_cfg(cfg, 'val', 'data/other').data_root == \
        'data/other'
