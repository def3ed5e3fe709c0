# Copyright (c) seavis_mm contributors. All rights reserved.
"""The audio before a training clip (``past_audio_frames``): the windows a
stream has loaded when it reaches the clip, with a validity mask where the
clip starts less than P frames into its video."""
import glob
import os.path as osp
import random

import numpy as np
import pytest
import torch
from mmengine.dataset import pseudo_collate

from seavis_mm.datasets.audio import load_audio, patch_for_frame
from seavis_mm.datasets.transforms import LoadAudioWindows
from .avis_data_helpers import build, toy_dataset_cfg
from .test_pipeline import preprocessor, train_pipeline

P = 3


def _results(frame_ids, length, source='wav', path='', feat_path=''):
    n = len(frame_ids)
    return dict(frame_id=list(frame_ids), fps=[1.0] * n,
                audio_source=[source] * n, audio_path=[path] * n,
                feat_path=[feat_path] * n, video_length=[length] * n,
                video_name=['v'] * n, video_id=[0] * n)


@pytest.mark.parametrize('first', [0, 2, 5])
def test_past_windows_are_the_streams_windows(toyavis_root, first):
    wav = sorted(glob.glob(osp.join(toyavis_root, 'train', 'WAVAudios',
                                    '*.wav')))[0]
    y = load_audio(wav)
    length = int(len(y) // 16000)
    out = LoadAudioWindows(past_audio_frames=P).transform(
        _results([first, first + 1], length, path=wav))
    past, valid = out['past_audio'], out['past_audio_valid']
    assert past.shape == (P, 1, 96, 64) and past.dtype == np.float32
    ids = list(range(first - P, first))
    assert valid.tolist() == [t >= 0 for t in ids]
    for j, t in enumerate(ids):
        if t >= 0:  # exactly what the stream loads for frame t
            np.testing.assert_allclose(past[j, 0], patch_for_frame(y, t, 1.0),
                                       atol=1e-5)
    assert np.isfinite(past).all()
    # off by default
    assert 'past_audio' not in LoadAudioWindows().transform(
        _results([first], length, path=wav))


def test_past_features(tmp_path):
    feats = np.random.RandomState(0).randn(10, 128).astype(np.float32)
    path = str(tmp_path / 'v.npy')
    np.save(path, feats)
    out = LoadAudioWindows(past_audio_frames=P).transform(
        _results([1, 2], 10, source='feat', feat_path=path))
    assert out['past_audio'].shape == (P, 128)
    assert out['past_audio_valid'].tolist() == [False, False, True]
    np.testing.assert_array_equal(out['past_audio'][2], feats[0])
    np.testing.assert_array_equal(out['past_audio'][:2], 0)
    with pytest.raises(ValueError, match='past_audio_frames'):
        LoadAudioWindows(past_audio_frames=-1)


def test_pipeline_packs_and_batches_past_audio(toyavis_root):
    random.seed(0)
    pipeline = train_pipeline(num_frames=2)
    pipeline[-2] = dict(type='LoadAudioWindows', past_audio_frames=P)
    ds = build(toy_dataset_cfg(toyavis_root, pipeline=pipeline))
    samples = [ds[i] for i in range(4)]
    for s in samples:
        inputs = s['inputs']
        first = s['data_samples'][0].frame_id
        assert inputs['past_audio'].shape == (P, 1, 96, 64)
        assert inputs['past_audio_valid'].dtype == torch.bool
        assert inputs['past_audio_valid'].tolist() == [
            t >= 0 for t in range(first - P, first)
        ]
    batch = preprocessor()(pseudo_collate(samples[:2]), training=True)
    assert batch['inputs']['past_audio'].shape == (2, P, 1, 96, 64)
    assert batch['inputs']['past_audio'].dtype == torch.float32
    assert batch['inputs']['past_audio_valid'].shape == (2, P)
    assert batch['inputs']['past_audio_valid'].dtype == torch.bool
