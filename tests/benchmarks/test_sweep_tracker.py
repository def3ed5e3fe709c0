# Copyright (c) seavis_mm contributors. All rights reserved.
"""seavis_mm.evaluation.tracker_recording (sweep_tracker.py, recall_analysis.py)
records what the tracker is given, then replays it: the recording must hold
every query, also those under the config's own ``score_thr``."""
import pytest
import torch
from mmengine.config import Config

from seavis_mm.registry import DATASETS, MODELS
from seavis_mm.utils import register_all_modules

from seavis_mm.evaluation.tracker_recording import (RecordingTracker,
                                                    record_tracker_inputs,
                                                    replay_tracker)
from .conftest import TINY_CONFIG


@pytest.mark.slow
def test_record_keeps_queries_under_the_config_threshold(toyavis_root):
    register_all_modules()
    cfg = Config.fromfile(TINY_CONFIG)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).eval()
    # random weights: every class probability is far under this, so with
    # the tracker's floor no query would be upsampled (score 0, empty mask)
    model.tracker.score_thr = 0.9
    model.tracker.init_score_thr = 0.9
    ds_cfg = cfg.test_dataloader.dataset
    ds_cfg.data_root = toyavis_root
    dataset = DATASETS.build(ds_cfg)
    videos = record_tracker_inputs(model, dataset, 1)
    frames = videos[0]['frames']
    assert len(frames) == 5
    for f in frames:
        assert bool((f['scores'] > 0).all())
        assert f['masks'].flatten(1).any(1).sum() > 0
    # the model's own tracker (and its floor) is back after recording
    assert model.tracker.score_thr == 0.9
    assert not isinstance(model.tracker, RecordingTracker)
    # replaying with a threshold under every score keeps candidates that the
    # config's threshold would have dropped
    params = {k: v for k, v in cfg.model.tracker.items() if k != 'type'}
    params.update(score_thr=0.0, init_score_thr=0.0, sound_gate=False)
    results = replay_tracker(videos, params, dataset.metainfo.get('cat_ids'))
    assert len(results) > 0
