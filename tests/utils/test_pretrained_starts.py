# Copyright (c) seavis_mm contributors. All rights reserved.
"""A training whose pretrained start is missing stops before the runner is
built, naming the config, the key, the file and `make pretrain`."""
import os.path as osp
import subprocess
import sys

import pytest
from mmengine.config import Config

from seavis_mm.utils import (check_pretrained_starts,
                             missing_pretrained_starts)
from tests._scripts import ROOT, load_script

# the default recipe, named where the zoo and the model index name it
DEFAULT = osp.join(
    ROOT, 'configs', 'seavis',
    load_script('tools/analysis_tools/collect_zoo.py').DEFAULT + '.py')


def test_missing_starts_of_the_default_recipe(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no work_dirs/ here
    cfg = Config.fromfile(DEFAULT)
    keys = [k for k, _ in missing_pretrained_starts(cfg)]
    # the visual start, the audio encoder's and the sound-class prior's
    # (both from the tagger's checkpoint)
    tagged = ['model.audio_encoder.init_cfg.checkpoint',
              'model.track_head.sound_class_prior.init_cfg.checkpoint']
    assert keys == ['load_from'] + tagged
    with pytest.raises(FileNotFoundError) as err:
        check_pretrained_starts(cfg)
    msg = str(err.value)
    assert DEFAULT in msg and 'make pretrain' in msg
    assert cfg.load_from in msg and 'pretrain_large5x/iter_1200.pth' in msg
    # resuming loads the work dir's checkpoint, not load_from; the
    # encoder's init still needs its file
    cfg.resume = True
    assert [k for k, _ in missing_pretrained_starts(cfg)] == tagged
    # both there: nothing to say
    for _, path in missing_pretrained_starts(Config.fromfile(DEFAULT)):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(b'')
    check_pretrained_starts(Config.fromfile(DEFAULT))


def test_urls_and_from_scratch_configs_pass(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    check_pretrained_starts(
        Config.fromfile(osp.join(ROOT, 'configs', 'seavis',
                                 'seavis_r18_toyavis.py')))
    # the paper-scale config's ImageNet init is a hub prefix, not a file
    cfg = Config.fromfile(
        osp.join(ROOT, 'configs', 'seavis', 'seavis_r50_8xb2-20k_aviseg.py'))
    assert '://' in cfg.model.backbone.init_cfg.checkpoint
    assert missing_pretrained_starts(cfg) == []


def test_train_tool_stops_before_building_the_runner(tmp_path):
    proc = subprocess.run(
        [sys.executable,
         osp.join(ROOT, 'tools', 'train.py'), DEFAULT, '--work-dir',
         str(tmp_path / 'work')],
        cwd=str(tmp_path), capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert 'FileNotFoundError' in proc.stderr
    assert 'make pretrain' in proc.stderr
    # nothing was built: no log, no work dir content
    assert not (tmp_path / 'work').exists() or not any(
        (tmp_path / 'work').iterdir())
