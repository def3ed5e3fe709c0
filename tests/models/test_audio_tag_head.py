# Copyright (c) seavis_mm contributors. All rights reserved.
"""SeaVISHead(sound_class_prior=dict(num_layers=1, init_cfg=...)): the
sound-class prior's audio classifier starts from the pretrained audio
tagger's head (seavis_mm/models/layers/audio_tag_head.py)."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from seavis_mm.models.layers.audio_tag_head import AudioTagHead
from seavis_mm.registry import MODELS
from seavis_mm.utils.pretrained_starts import missing_pretrained_starts
from ._tiny import tiny_cfg

CONFIG = ('seavis_r18_toyavis_audio-visual-pretrained-large3x_train-large_'
          'tagger-prior.py')


def _tagger_checkpoint(path: str) -> dict:
    """An AudioTagger-shaped checkpoint: the audio encoder and a
    ``cls_head`` Linear of known values."""
    torch.manual_seed(1)
    state = {
        'cls_head.weight': torch.randn(5, 128),
        'cls_head.bias': torch.randn(5),
        'audio_encoder.unused': torch.zeros(1),
    }
    torch.save(dict(state_dict=state), path)
    return state


def test_audio_tag_head_is_a_linear():
    head = AudioTagHead(8, 3)
    x = torch.randn(4, 8)
    ref = torch.nn.functional.linear(x, head.weight, head.bias)
    assert torch.equal(head(x), ref)
    assert sorted(head.state_dict()) == ['bias', 'weight']


def test_prior_starts_from_the_tagger_head(tmp_path):
    ckpt = str(tmp_path / 'tagger.pth')
    state = _tagger_checkpoint(ckpt)
    cfg = tiny_cfg(CONFIG)
    prior = cfg.model.track_head.sound_class_prior
    assert prior.num_layers == 1
    assert prior.init_cfg.type == 'Pretrained'
    assert prior.init_cfg.prefix == 'cls_head.'
    prior.init_cfg.checkpoint = ckpt
    cfg.model.audio_encoder.pop('init_cfg', None)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    head = model.track_head
    assert isinstance(head.audio_cls, AudioTagHead)
    assert not torch.equal(head.audio_cls.weight, state['cls_head.weight'])
    model.init_weights()
    # the tagger's logits, exactly: the prior is its a_c from the start
    assert torch.equal(head.audio_cls.weight, state['cls_head.weight'])
    assert torch.equal(head.audio_cls.bias, state['cls_head.bias'])
    audio = torch.randn(2, 128)
    expected = audio @ state['cls_head.weight'].t() + state['cls_head.bias']
    assert torch.allclose(head.audio_cls(audio), expected, atol=1e-6)


def test_a_missing_tagger_checkpoint_is_named_before_training():
    cfg = Config.fromfile(osp.join('configs', 'seavis', CONFIG))
    cfg.model.track_head.sound_class_prior.init_cfg.checkpoint = \
        'no/such/tagger.pth'
    keys = [k for k, _ in missing_pretrained_starts(cfg)]
    assert 'model.track_head.sound_class_prior.init_cfg.checkpoint' in keys


def test_prior_options_are_checked():
    cfg = tiny_cfg(CONFIG)
    head_cfg = cfg.model.track_head
    head_cfg.sound_class_prior = dict(num_layers=2, init_cfg=dict(
        type='Pretrained', checkpoint='x.pth', prefix='cls_head.'))
    with pytest.raises(ValueError, match='num_layers=1'):
        MODELS.build(cfg.model)
    head_cfg.sound_class_prior = dict(num_layers=0)
    with pytest.raises(ValueError, match='>= 1'):
        MODELS.build(cfg.model)
    head_cfg.sound_class_prior = dict(layers=1)
    with pytest.raises(ValueError, match='layers'):
        MODELS.build(cfg.model)
    # the default: the two-layer classifier learnt from nothing
    head_cfg.sound_class_prior = dict(loss_weight=1.0)
    head = MODELS.build(cfg.model).track_head
    assert isinstance(head.audio_cls, torch.nn.Sequential)
    assert len([m for m in head.audio_cls
                if isinstance(m, torch.nn.Linear)]) == 2
