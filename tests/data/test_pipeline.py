# Copyright (c) seavis_mm contributors. All rights reserved.
"""The train and test pipelines end to end: dataset -> clip sampling ->
broadcast augmentation -> audio windows -> packing -> data preprocessor."""
import random

import numpy as np
import pytest
import torch
from .avis_data_helpers import build, toy_dataset_cfg
from mmdet.structures import TrackDataSample
from mmdet.structures.mask import BitmapMasks
from mmengine.dataset import pseudo_collate

from seavis_mm.datasets.audio import load_audio, patch_for_frame
from seavis_mm.datasets.transforms import AVISClipSample
from seavis_mm.registry import MODELS

T = 4


def train_pipeline(num_frames=T, mode='consecutive', flip_prob=0.5):
    return [
        dict(type='AVISClipSample', num_frames=num_frames, mode=mode),
        dict(type='TransformBroadcaster',
             share_random_params=True,
             transforms=[
                 dict(type='LoadImageFromFile'),
                 dict(type='LoadTrackAnnotations', with_mask=True),
                 dict(type='Resize', scale=(96, 80), keep_ratio=True),
                 dict(type='RandomFlip', prob=flip_prob),
             ]),
        dict(type='LoadAudioWindows'),
        dict(type='PackAVISInputs')
    ]


TEST_PIPELINE = [
    dict(type='TransformBroadcaster',
         transforms=[
             dict(type='LoadImageFromFile'),
             dict(type='Resize', scale=(96, 80), keep_ratio=True),
             dict(type='LoadTrackAnnotations', with_mask=True),
         ]),
    dict(type='LoadAudioWindows'),
    dict(type='PackAVISInputs')
]


def preprocessor():
    return MODELS.build(
        dict(type='AVISDataPreprocessor',
             mean=[123.675, 116.28, 103.53],
             std=[58.395, 57.12, 57.375],
             bgr_to_rgb=True,
             pad_size_divisor=32,
             pad_mask=True))


def test_train_pipeline_and_preprocessor(toyavis_root):
    random.seed(0)
    ds = build(toy_dataset_cfg(toyavis_root, pipeline=train_pipeline()))
    samples = [ds[0], ds[3]]
    for s in samples:
        imgs, audio = s['inputs']['imgs'], s['inputs']['audio']
        assert imgs.dtype == torch.uint8 and imgs.shape == (T, 3, 80, 80)
        assert audio.dtype == torch.float32
        assert audio.shape == (T, 1, 96, 64)
        track = s['data_samples']
        assert isinstance(track, TrackDataSample) and len(track) == T
        frame_ids = [track[i].frame_id for i in range(T)]
        assert frame_ids == sorted(frame_ids)
        assert np.all(np.diff(frame_ids) == 1)
        for i in range(T):
            det = track[i]
            assert det.fps == 1.0 and det.audio_path.endswith('.wav')
            assert det.img_shape == (80, 80) and det.ori_shape == (128, 128)
            gt = det.gt_instances
            n = len(det.instances)
            assert isinstance(gt.masks, BitmapMasks)
            assert gt.masks.masks.shape == (n, 80, 80)
            assert gt.labels.shape == (n, ) and gt.bboxes.shape == (n, 4)
            assert gt.instances_ids.tolist() == [
                x['instance_id'] for x in det.instances
            ]
        # Each frame's window is that frame's own slice of the wav.
        y = load_audio(track[0].audio_path)
        for i, t in enumerate(frame_ids):
            np.testing.assert_allclose(audio[i, 0].numpy(),
                                       patch_for_frame(y, t, 1.0),
                                       atol=1e-5)

    batch = preprocessor()(pseudo_collate(samples), training=True)
    imgs, audio = batch['inputs']['imgs'], batch['inputs']['audio']
    assert imgs.dtype == torch.float32 and imgs.shape == (2, T, 3, 96, 96)
    assert audio.dtype == torch.float32 and audio.shape == (2, T, 1, 96, 64)
    assert len(batch['data_samples']) == 2
    det = batch['data_samples'][0][0]
    assert det.batch_input_shape == (96, 96)
    assert det.gt_instances.masks.masks.shape[-2:] == (96, 96)
    # Normalised: roughly zero mean inside the image, 0 in the padding.
    assert abs(float(imgs[:, :, :, :80, :80].mean())) < 1.5
    assert float(imgs[:, :, :, 80:, :].abs().max()) == 0


def test_flip_is_shared_by_the_frames_of_a_clip(toyavis_root):
    random.seed(1)
    np.random.seed(1)
    ds = build(toy_dataset_cfg(toyavis_root, pipeline=train_pipeline()))
    seen = set()
    for _ in range(12):
        track = ds[1]['data_samples']
        flips = {track[i].flip for i in range(T)}
        assert len(flips) == 1
        seen |= flips
    assert seen == {True, False}


def test_sparse_clips(toyavis_root):
    random.seed(2)
    ds = build(
        toy_dataset_cfg(toyavis_root, pipeline=train_pipeline(3, 'sparse')))
    length = ds.get_data_info(2)['video_length']
    track = ds[2]['data_samples']
    ids = [track[i].frame_id for i in range(3)]
    assert ids == sorted(ids) and ids[0] < length / 3 <= ids[2]


def test_test_pipeline_whole_video(toyavis_root):
    ds = build(
        toy_dataset_cfg(toyavis_root,
                        'val',
                        test_mode=True,
                        pipeline=TEST_PIPELINE))
    length = ds.get_data_info(1)['video_length']
    sample = ds[1]
    assert sample['inputs']['imgs'].shape == (length, 3, 80, 80)
    assert sample['inputs']['audio'].shape == (length, 1, 96, 64)
    track = sample['data_samples']
    assert [track[i].frame_id for i in range(length)] == list(range(length))
    assert all(track[i].ori_video_length == length for i in range(length))
    y = load_audio(track[0].audio_path)
    for t in (0, length - 1):
        np.testing.assert_allclose(sample['inputs']['audio'][t, 0].numpy(),
                                   patch_for_frame(y, t, 1.0),
                                   atol=1e-5)
    batch = preprocessor()(pseudo_collate([sample]), training=False)
    assert batch['inputs']['imgs'].shape == (1, length, 3, 96, 96)
    assert batch['inputs']['audio'].shape == (1, length, 1, 96, 64)


def test_preprocessor_feature_audio_and_errors():
    pre = preprocessor()
    imgs = [torch.zeros(2, 3, 40, 50, dtype=torch.uint8) for _ in range(2)]
    out = pre(
        dict(inputs=dict(imgs=imgs, audio=[torch.ones(2, 128)] * 2),
             data_samples=None))
    assert out['inputs']['audio'].shape == (2, 2, 128)
    assert out['inputs']['imgs'].shape == (2, 2, 3, 64, 64)
    with pytest.raises(ValueError, match='differ in shape'):
        pre(
            dict(inputs=dict(imgs=imgs,
                             audio=[torch.ones(2, 128),
                                    torch.ones(3, 128)]),
                 data_samples=None))
    with pytest.raises(TypeError, match='inputs=dict'):
        pre(dict(inputs=imgs, data_samples=None))


@pytest.mark.parametrize('length,num,interval,key', [(20, 5, 1, None),
                                                     (20, 5, 3, None),
                                                     (20, 5, 3, 19),
                                                     (6, 5, 2, None),
                                                     (3, 5, 1, None),
                                                     (1, 4, 1, None)])
def test_clip_sampler_indices(length, num, interval, key):
    random.seed(3)
    sampler = AVISClipSample(num_frames=num, interval=interval)
    for _ in range(20):
        inds = sampler.sample_indices(length, key)
        assert len(inds) == num and inds == sorted(inds)
        assert 0 <= inds[0] and inds[-1] < length
        if key is not None:
            assert key in inds
        if (num - 1) * interval < length:
            assert set(np.diff(inds)) <= {interval}
    with pytest.raises(ValueError, match='mode'):
        AVISClipSample(mode='random')
