# Copyright (c) seavis_mm contributors. All rights reserved.
"""The real SeaVIS (random init, small ToyAVIS config): step() on a stream
gives exactly what predict() gives on the whole video from the dataset."""
import glob
import os.path as osp

import cv2
import pytest
import soundfile as sf
import torch
from mmengine.dataset import pseudo_collate

from seavis_mm.apis import OnlineAVISInferencer
from seavis_mm.registry import DATASETS
from ..models._tiny import tiny_cfg
from .small_seavis import open_tracker

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@pytest.mark.slow
@pytest.mark.filterwarnings('ignore:OnlineAVISInferencer. no checkpoint')
def test_seavis_step_equals_predict(toyavis_root):
    cfg = tiny_cfg()  # the real ToyAVIS config, smaller decoder
    # a random model scores low: open the tracker up so instances are
    # output, tracked and sound-gated (otherwise both paths output nothing)
    open_tracker(cfg, match_thr=-1.0, sound_gate=True, sound_thr=-0.05)
    cfg.test_dataloader.dataset.data_root = toyavis_root
    inferencer = OnlineAVISInferencer(cfg)
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    with torch.no_grad():
        offline = inferencer.model.test_step(pseudo_collate([dataset[0]]))[0]

    frames = sorted(glob.glob(osp.join(toyavis_root, 'val/JPEGImages/*/*')))
    wav = glob.glob(osp.join(toyavis_root, 'val/WAVAudios/*.wav'))[0]
    audio, sr = sf.read(wav, dtype='float32')
    inferencer.reset()
    total = 0
    for k, path in enumerate(frames):
        online = inferencer.step(cv2.imread(path), audio[k * sr:(k + 1) * sr],
                                 sr)
        ref = offline[k].pred_track_instances.cpu()
        total += len(ref)
        assert torch.equal(online.masks, ref.masks.bool())
        assert torch.equal(online.labels, ref.labels)
        assert torch.equal(online.instances_id, ref.instances_id)
        assert torch.allclose(online.scores, ref.scores, atol=1e-6)
        assert torch.allclose(online.sound_scores, ref.sound_scores,
                              atol=1e-6)
    assert total > 0  # the comparison was not vacuous
