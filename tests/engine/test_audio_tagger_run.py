# Copyright (c) seavis_mm contributors. All rights reserved.
"""The audio tagger's config trains through mmengine's Runner, and the
*_audio-pretrained segmentation configs start their audio encoder from its
checkpoint."""
import os.path as osp

import torch
from mmengine.config import Config
from mmengine.runner import Runner

from seavis_mm.evaluation.audio_tag_recording import record_audio_tags
from seavis_mm.evaluation.functional import tagging_by_sources
from seavis_mm.registry import MODELS
from seavis_mm.utils import safe_torch_load
from ..models._tiny import tiny_cfg

ROOT = osp.join(osp.dirname(__file__), '..', '..')
TAGGER = osp.join(ROOT, 'configs', 'audio_tagger', 'audio-tagger_toyavis.py')


def test_tagger_pretrains_the_segmentation_audio_encoder(
        toyavis_root, tmp_path):
    cfg = Config.fromfile(TAGGER)
    # the session's tiny ToyAVIS has videos of 4 to 6 frames
    cfg.train_dataloader.dataset.data_root = toyavis_root
    cfg.train_dataloader.dataset.pipeline[0].num_frames = 2
    cfg.train_dataloader.update(
        batch_size=2, num_workers=0, persistent_workers=False)
    cfg.train_cfg.max_iters = 2
    cfg.param_scheduler.update(end=2, milestones=[1])
    cfg.default_hooks.checkpoint.interval = 2
    cfg.work_dir = str(tmp_path)
    runner = Runner.from_cfg(cfg)
    runner.train()
    loss = runner.message_hub.get_scalar('train/loss_tag').current()
    assert loss == loss and loss > 0
    ckpt = str(tmp_path / 'iter_2.pth')
    saved = safe_torch_load(ckpt)['state_dict']
    assert any(k.startswith('cls_head.') for k in saved)
    for name in ('seavis_r18_toyavis_audio-pretrained.py',
                 'seavis_r18_toyavis_audio-pretrained_sound-class-prior.py',
                 'mask2former-film_r18_toyavis_audio-pretrained.py'):
        seg = tiny_cfg(name)
        seg.model.audio_encoder.init_cfg.checkpoint = ckpt
        torch.manual_seed(1)
        model = MODELS.build(seg.model)
        model.init_weights()
        state = model.audio_encoder.state_dict()
        assert state, name
        for key, value in state.items():
            assert torch.equal(value, saved['audio_encoder.' + key]), key
        # and the rest of the model is not the tagger's
        assert not any(k.startswith('cls_head') for k in model.state_dict())
    # tools/analysis_tools/audio_tagging.py's recording on the val split
    probs, labels = record_audio_tags(cfg, ckpt, 'val', toyavis_root)
    assert probs.shape == (len(labels), 5) and len(labels) >= 8
    assert ((probs >= 0) & (probs <= 1)).all()
    stats = tagging_by_sources(probs, labels)
    assert sum(s['frames'] for s in stats.values()) == len(labels)
