# Copyright (c) seavis_mm contributors. All rights reserved.
"""Every config of the zoo parses, builds its model and its evaluator, and
names types that resolve from the seavis_mm scope."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from seavis_mm.registry import METRICS, MODELS

CONFIGS = sorted(
    glob.glob(
        osp.join(osp.dirname(__file__), '..', '..', 'configs', 'seavis',
                 '*.py')))


def test_config_basenames_unique():
    # mim finds a config by basename anywhere in the package
    all_configs = glob.glob(
        osp.join(osp.dirname(__file__), '..', '..', 'configs', '**', '*.py'),
        recursive=True)
    names = [osp.basename(p) for p in all_configs]
    assert len(names) == len(set(names))


def _mark(path):
    # the paper-scale models (R50 / Swin-L with full VGGish) take seconds to
    # build on 2 cores
    marks = [pytest.mark.slow] if 'aviseg' in osp.basename(path) else []
    return pytest.param(path, marks=marks, id=osp.basename(path))


@pytest.mark.parametrize('path', [_mark(p) for p in CONFIGS])
def test_config_builds(path):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'seavis_mm'
    cfg.model.backbone.init_cfg = None  # no downloads here
    model = MODELS.build(cfg.model)
    assert model.num_classes == cfg.model.track_head.num_things_classes
    METRICS.build(cfg.test_evaluator)
    source = cfg.test_dataloader.dataset.audio_source
    if model.audio_encoder is not None:
        expected = 'VGGishFeatureProjector' if source == 'feat' \
            else 'VGGishAudioEncoder'
        assert type(model.audio_encoder).__name__ == expected
