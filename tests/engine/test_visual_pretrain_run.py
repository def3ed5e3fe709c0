# Copyright (c) seavis_mm contributors. All rights reserved.
"""The visual pretraining config trains through mmengine's Runner on every
visible object of a ToyAVIS set, and the *_visual-pretrained configs start
from its checkpoint through ``load_from``: after loading, every weight the
checkpoint has is the pretrained one, the audio encoder is the tagger's,
and what the checkpoint lacks keeps its own initialisation."""
import os.path as osp
import re

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from seavis_mm.datasets.toyavis import make_toyavis
from seavis_mm.utils import safe_torch_load
from ..models._tiny import shrink_head, tiny_cfg
from ._pretrained import (VISUAL_PRETRAIN, VISUAL_PRETRAIN_2X,
                          VISUAL_PRETRAIN_LARGE, VISUAL_PRETRAIN_LARGE2X,
                          VISUAL_PRETRAIN_LARGE3X, VISUAL_PRETRAIN_LARGE4X,
                          VISUAL_PRETRAIN_LARGE5X,
                          VISUAL_PRETRAIN_VARIED,
                          visual_checkpoint_names,
                          write_audio_tagger_checkpoint)

# running statistics move in any training step, even at lr 0
BUFFERS = ('running_mean', 'running_var', 'num_batches_tracked')


def _small(cfg: Config, root: str, work: str, iters: int) -> Config:
    """``cfg`` (with tests/models/_tiny.py's sizes) on ``root`` for
    ``iters`` iterations of one 2-frame clip."""
    cfg.train_dataloader.dataset.data_root = root
    cfg.train_dataloader.update(
        batch_size=1, num_workers=0, persistent_workers=False)
    for key in ('val', 'test'):
        for part in ('dataloader', 'cfg', 'evaluator'):
            cfg[f'{key}_{part}'] = None
    cfg.train_cfg = dict(
        type='IterBasedTrainLoop', max_iters=iters, val_interval=iters + 1)
    cfg.param_scheduler.update(end=iters, milestones=[iters])
    cfg.default_hooks.checkpoint.update(interval=iters, max_keep_ckpts=1)
    cfg.work_dir = work
    return cfg


def _assert_loaded(state: dict, saved: dict, keys) -> None:
    """Every weight ``keys`` names (running statistics aside) is in
    ``state`` as ``saved`` has it."""
    keys = [k for k in keys if not k.endswith(BUFFERS)]
    for key in keys:
        assert torch.equal(state[key], saved[key]), key


def _own_checkpoint(config: str, cfg: Config) -> str:
    """The last checkpoint a pretraining ``config`` writes when trained
    into work_dirs/visual_pretrain/<its name> as its header says."""
    return osp.join('work_dirs', 'visual_pretrain',
                    osp.splitext(osp.basename(config))[0],
                    f'iter_{cfg.train_cfg.max_iters}.pth')


@pytest.fixture(scope='module')
def pretrained(tmp_path_factory) -> dict:
    """A real 2-iteration visual pretraining run on a ToyAVIS set written
    with every visible object: its data root and checkpoint."""
    root = str(tmp_path_factory.mktemp('toyavis_pretrain'))
    make_toyavis(root, train_videos=2, val_videos=0, seed=3,
                 num_frames_range=(4, 5), write_visible=True)
    cfg = shrink_head(Config.fromfile(VISUAL_PRETRAIN))
    assert cfg.train_dataloader.dataset.ann_file == 'train_visible.json'
    work = str(tmp_path_factory.mktemp('pretrain_work'))
    runner = Runner.from_cfg(_small(cfg, root, work, 2))
    runner.train()
    loss = runner.message_hub.get_scalar('train/loss').current()
    assert loss == loss and loss > 0
    return dict(root=root, ckpt=osp.join(work, 'iter_2.pth'))


@pytest.mark.parametrize('name', [
    'seavis_r18_toyavis_visual-pretrained.py',
    'seavis_r18_toyavis_audio-visual-pretrained_sound-class-prior.py',
    'mask2former-film_r18_toyavis_audio-visual-pretrained.py',
    'mask2former-minvis_r18_toyavis_visual-pretrained.py',
    'seavis_r18_toyavis_audio-visual-pretrained-2x_sound-class-prior.py',
    'seavis_r18_toyavis_audio-visual-pretrained-varied_sound-class-prior.py',
    'mask2former-film_r18_toyavis_audio-visual-pretrained-2x.py',
    'seavis_r18_toyavis_audio-visual-pretrained-large_sound-class-prior.py',
    'mask2former-film_r18_toyavis_audio-visual-pretrained-large.py',
    'mask2former-minvis_r18_toyavis_visual-pretrained-large2x.py',
    'seavis_r18_toyavis_audio-visual-pretrained-large2x_sound-class-prior.py',
    'mask2former-film_r18_toyavis_audio-visual-pretrained-large2x.py',
    'seavis_r18_toyavis_audio-visual-pretrained-large3x_sound-class-prior.py',
    'seavis_r18_toyavis_audio-visual-pretrained-large2x_train-large.py',
    'mask2former-film_r18_toyavis_audio-visual-pretrained-large2x_'
    'train-large.py',
    'seavis_r18_toyavis_audio-visual-pretrained-large3x_train-large.py',
    'mask2former-film_r18_toyavis_audio-visual-pretrained-large3x_'
    'train-large.py',
    'mask2former-minvis_r18_toyavis_visual-pretrained-large3x_'
    'train-large.py',
    # ablations of the default recipe that change what the starts load into
    'seavis_r18_toyavis_audio-visual-pretrained-large3x_train-large_'
    'no-identity.py',
    'seavis_r18_toyavis_audio-visual-pretrained-large3x_train-large_'
    'audio-stream_one-audio-token.py',
    # the default config (its prior's classifier from the tagger's head too)
    # and the session-35 variant from the large4x stage
    'seavis_r18_toyavis_audio-visual-pretrained-large3x_train-large_'
    'tagger-prior_mask-pos.py',
    'seavis_r18_toyavis_audio-visual-pretrained-large4x_train-large.py',
    # the default from the large4x and large5x stages (session 36)
    'seavis_r18_toyavis_audio-visual-pretrained-large4x_train-large_'
    'tagger-prior_mask-pos.py',
    'seavis_r18_toyavis_audio-visual-pretrained-large5x_train-large_'
    'tagger-prior_mask-pos.py',
    # and the default's baselines, from its start
    'mask2former-film_r18_toyavis_audio-visual-pretrained-large5x_'
    'train-large.py',
    'mask2former-minvis_r18_toyavis_visual-pretrained-large5x_'
    'train-large.py',
])
def test_visual_pretrained_configs_start_from_it(name, pretrained,
                                                 tmp_path):
    cfg = tiny_cfg(name)
    start = re.search(r'visual-pretrained-(\w+?)(?:_|\.py)', name)
    key = 'visual_pretrained_checkpoint' + (f'_{start[1]}' if start else '')
    assert cfg.load_from == visual_checkpoint_names()[key]
    cfg.load_from = pretrained['ckpt']
    tagger = None
    if (cfg.model.get('audio_encoder') or {}).get('init_cfg'):
        tagger = write_audio_tagger_checkpoint(str(tmp_path))
        cfg.model.audio_encoder.init_cfg.checkpoint = tagger
    prior = (cfg.model.track_head.get('sound_class_prior') or {})
    if prior.get('init_cfg'):
        assert prior.init_cfg.prefix == 'cls_head.'
        prior.init_cfg.checkpoint = tagger
    # one step at lr 0: the weights stay what the start made them
    cfg.optim_wrapper.optimizer.lr = 0.0
    runner = Runner.from_cfg(
        _small(cfg, pretrained['root'], str(tmp_path / 'work'), 1))
    model = runner.train()
    state = model.state_dict()
    saved = safe_torch_load(pretrained['ckpt'])['state_dict']
    loaded = [k for k in saved if not k.endswith(BUFFERS)]
    assert any(k.startswith('backbone.') for k in loaded)
    assert any(k.startswith('track_head.pixel_decoder.') for k in loaded)
    assert any(k.startswith('track_head.transformer_decoder.')
               for k in loaded)
    _assert_loaded(state, saved, loaded)
    own = [k for k in state if k not in saved]
    if tagger is not None:
        audio = safe_torch_load(tagger)['state_dict']
        for key in (k for k in own if k.startswith('audio_encoder.')):
            if not key.endswith(BUFFERS):
                assert torch.equal(state[key], audio[key]), key
        if prior.get('init_cfg'):
            # the prior's classifier is the tagger's head (lr 0: as loaded)
            for part in ('weight', 'bias'):
                assert torch.equal(state[f'track_head.audio_cls.{part}'],
                                   audio[f'cls_head.{part}'])
    # the parts the audio-blind pretraining has no weights for
    if 'minvis' not in name:
        assert any(k.startswith(('neck.', 'audio_fusion.')) for k in own)


@pytest.mark.parametrize('config,start,own,data_root', [
    (VISUAL_PRETRAIN_2X, '', '_2x', 'data/toyavis_pretrain/'),
    (VISUAL_PRETRAIN_LARGE, '_2x', '_large', 'data/toyavis_pretrain_large/'),
    (VISUAL_PRETRAIN_LARGE2X, '_large', '_large2x',
     'data/toyavis_pretrain_large/'),
    (VISUAL_PRETRAIN_LARGE3X, '_large2x', '_large3x',
     'data/toyavis_pretrain_large/'),
    (VISUAL_PRETRAIN_LARGE4X, '_large3x', '_large4x',
     'data/toyavis_pretrain_large/'),
    (VISUAL_PRETRAIN_LARGE5X, '_large4x', '_large5x',
     'data/toyavis_pretrain_large/'),
])
def test_longer_pretraining_continues_from_it(config, start, own, data_root,
                                              pretrained, tmp_path):
    """mask2former_r18_toyavis-pretrain_2x.py starts from the first
    pretraining's checkpoint, and _large.py from the 2x one on a set of its
    own, and _large2x.py to _large5x.py each from the one before on that
    set, all on the visible-object annotations, and each writes the
    checkpoint its ``-2x`` / ``-large`` / ``-large2x`` to ``-large5x``
    configs load."""
    cfg = shrink_head(Config.fromfile(config))
    names = visual_checkpoint_names()
    assert cfg.load_from == names['visual_pretrained_checkpoint' + start]
    data = cfg.train_dataloader.dataset
    assert data.ann_file == 'train_visible.json'
    assert data.data_root == data_root
    assert names['visual_pretrained_checkpoint' + own] == _own_checkpoint(
        config, cfg)
    cfg.load_from = pretrained['ckpt']
    cfg.optim_wrapper.optimizer.lr = 0.0
    model = Runner.from_cfg(
        _small(cfg, pretrained['root'], str(tmp_path / 'work'), 1)).train()
    state = model.state_dict()
    saved = safe_torch_load(pretrained['ckpt'])['state_dict']
    assert set(state) == set(saved)
    _assert_loaded(state, saved, saved)


def test_varied_pretraining_reads_its_own_set():
    """mask2former_r18_toyavis-pretrain_varied.py is the same pretraining
    on another set's visible objects, from nothing, and its checkpoint is
    the one the ``-varied`` configs load."""
    cfg = Config.fromfile(VISUAL_PRETRAIN_VARIED)
    first = Config.fromfile(VISUAL_PRETRAIN)
    assert cfg.load_from is None
    data = cfg.train_dataloader.dataset
    assert data.ann_file == 'train_visible.json'
    assert data.data_root != first.train_dataloader.dataset.data_root
    assert cfg.model == first.model
    assert (visual_checkpoint_names().visual_pretrained_checkpoint_varied ==
            _own_checkpoint(VISUAL_PRETRAIN_VARIED, cfg))


_SV = 'seavis_r18_toyavis_audio-visual-pretrained-'
_FM = 'mask2former-film_r18_toyavis_audio-visual-pretrained-'


@pytest.mark.parametrize('name,ref', [
    (_SV + 'large2x_train-large.py', _SV + 'large2x_sound-class-prior.py'),
    (_SV + 'large2x_train-large_sound-thr-0.02.py',
     _SV + 'large2x_sound-thr-0.02.py'),
    (_SV + 'large3x_train-large.py', _SV + 'large3x_sound-class-prior.py'),
    (_FM + 'large2x_train-large.py', _FM + 'large2x.py'),
    (_FM + 'large3x_train-large.py', _FM + 'large2x.py'),
    ('mask2former-minvis_r18_toyavis_visual-pretrained-large3x_'
     'train-large.py',
     'mask2former-minvis_r18_toyavis_visual-pretrained-large2x.py'),
])
def test_train_large_configs_fine_tune_on_the_larger_set(name, ref):
    """The ``_train-large`` rows fine-tune on the larger pretraining set's
    sounding ground truth, with ToyAVIS train's pipeline, and are tested on
    ToyAVIS val as every row: against the 80-video row ``ref`` only the
    training set differs (and the start, and the gate each calibrates)."""
    cfg = Config.fromfile(osp.join('configs', 'seavis', name))
    ref = Config.fromfile(osp.join('configs', 'seavis', ref))
    data = cfg.train_dataloader.dataset
    assert data.data_root == 'data/toyavis_pretrain_large/'
    assert ref.train_dataloader.dataset.data_root == 'data/toyavis/'
    # the sounding objects, not every visible one (the pretraining's)
    assert data.ann_file == 'train.json'
    assert data.pipeline == ref.train_dataloader.dataset.pipeline
    for split in ('val_dataloader', 'test_dataloader'):
        assert cfg[split].dataset.data_root == 'data/toyavis/'
        assert cfg[split].dataset.ann_file == 'val.json'
    assert cfg.model.backbone == ref.model.backbone
    assert cfg.model.track_head == ref.model.track_head
    if 'large3x' in name:
        # the default recipe's schedule, shared by its baselines: 400
        # iterations, step at 320
        assert cfg.train_cfg.max_iters == 400
        assert cfg.param_scheduler.end == 400
        assert cfg.param_scheduler.milestones == [320]
        ref.train_cfg.update(max_iters=400, val_interval=400)
    assert cfg.train_cfg == ref.train_cfg
