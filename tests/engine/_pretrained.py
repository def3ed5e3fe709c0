# Copyright (c) seavis_mm contributors. All rights reserved.
"""Stand-in checkpoints of the two pretraining configs, written where the
*_audio-pretrained and *_visual-pretrained configs look for them (paths
relative to the working directory). The models are built from the real
configs with their initial weights; test_audio_tagger_run.py and
test_visual_pretrain_run.py train real ones."""
import os
import os.path as osp

import torch
from mmengine.config import Config

from seavis_mm.registry import MODELS
from ._run import REPO

AUDIO_TAGGER = osp.join(REPO, 'configs', 'audio_tagger',
                        'audio-tagger_toyavis.py')


def _visual_pretrain(suffix: str = '') -> str:
    """configs/visual_pretrain/mask2former_r18_toyavis-pretrain{suffix}.py"""
    return osp.join(REPO, 'configs', 'visual_pretrain',
                    f'mask2former_r18_toyavis-pretrain{suffix}.py')


VISUAL_PRETRAIN = _visual_pretrain()
VISUAL_PRETRAIN_2X = _visual_pretrain('_2x')
VISUAL_PRETRAIN_VARIED = _visual_pretrain('_varied')
VISUAL_PRETRAIN_LARGE = _visual_pretrain('_large')
VISUAL_PRETRAIN_LARGE2X = _visual_pretrain('_large2x')
VISUAL_PRETRAIN_LARGE3X = _visual_pretrain('_large3x')
VISUAL_PRETRAIN_LARGE4X = _visual_pretrain('_large4x')
VISUAL_PRETRAIN_LARGE5X = _visual_pretrain('_large5x')


def _save_initial(config: str, path: str) -> str:
    cfg = Config.fromfile(config)
    os.makedirs(osp.dirname(path), exist_ok=True)
    torch.save(dict(state_dict=MODELS.build(cfg.model).state_dict()), path)
    return path


def audio_checkpoint_name() -> str:
    """The tagger checkpoint configs/_base_/audio_pretrained_toyavis.py
    starts the ``*_audio-pretrained`` audio encoders from."""
    return Config.fromfile(
        osp.join(REPO, 'configs', '_base_',
                 'audio_pretrained_toyavis.py')).audio_encoder_init.checkpoint


def write_audio_tagger_checkpoint(cwd: str) -> str:
    """An AudioTagger checkpoint for configs/_base_/audio_pretrained_toyavis.py
    under ``cwd``."""
    return _save_initial(AUDIO_TAGGER,
                         osp.join(cwd, audio_checkpoint_name()))


def visual_checkpoint_names() -> Config:
    """configs/_base_/visual_pretrained_toyavis.py: the checkpoint paths of
    the visual pretrainings (``visual_pretrained_checkpoint*``)."""
    return Config.fromfile(
        osp.join(REPO, 'configs', '_base_', 'visual_pretrained_toyavis.py'))


def write_visual_pretrain_checkpoint(cwd: str) -> list:
    """A visual pretraining checkpoint under ``cwd`` at every path that
    :func:`visual_checkpoint_names` names (the pretrainings share the
    model)."""
    base = visual_checkpoint_names()
    return [
        _save_initial(VISUAL_PRETRAIN, osp.join(cwd, path))
        for key, path in base.items()
        if key.startswith('visual_pretrained_checkpoint')
    ]
