# Copyright (c) seavis_mm contributors. All rights reserved.
"""Every released config under configs/seavis/ trains 2 iterations and tests
one video on the CPU through tools/train.py and tools/test.py, with its own
pipeline, model and schedule.

The data is ToyAVIS written in the AVISeg layout; for the AVISeg configs its
JSON carries AVISeg's 26 categories (the toy objects are the first five),
its ``test`` split is the val split, and the ``-feat`` config gets
``FEATAudios/<video>.npy`` ([T, 128], VGGish's shape). What the test
overrides is listed in ``SIZES`` and ``RUN``: iteration counts, batch and
model sizes, data location and loading workers, and the ImageNet
initialisation (``init_cfg``, a download; nothing here reaches a network).
"""
import glob
import json
import os
import os.path as osp
import re

import numpy as np
import pytest

from ._pretrained import (write_audio_tagger_checkpoint,
                          write_visual_pretrain_checkpoint)
from ._run import PYTHON, REPO, TEST, TRAIN, run_tool, tail

CONFIGS = sorted(glob.glob(osp.join(REPO, 'configs', 'seavis', '*.py')))
AVISEG = 'aviseg'

# per config family: sizes only (and no pretrained download)
SIZES = {
    'r50': """
model = dict(
    backbone=dict(init_cfg=None),
    track_head=dict(num_queries=10, train_cfg=dict(num_points=256)))
""",
    'swin-l': """
model = dict(
    backbone=dict(init_cfg=None, embed_dims=24, num_heads=[1, 2, 4, 8],
                  depths=[2, 2, 2, 2], pretrain_img_size=224),
    track_head=dict(in_channels=[24, 48, 96, 192], num_queries=10,
                    train_cfg=dict(num_points=256)))
""",
}
RUN = """
_base_ = [{config!r}]
root = {root!r}
train_dataloader = dict(batch_size=1, num_workers=0,
                        persistent_workers=False,
                        dataset=dict(data_root=root))
val_dataloader = dict(num_workers=0, persistent_workers=False,
                      dataset=dict(data_root=root, indices=1))
test_dataloader = dict(num_workers=0, persistent_workers=False,
                       dataset=dict(data_root=root, indices=1))
train_cfg = dict(max_iters=2, val_interval=1000, val_begin=1000)
param_scheduler = dict(end=2, milestones=[1])
default_hooks = dict(logger=dict(interval=1),
                     checkpoint=dict(interval=2, max_keep_ckpts=1))
"""


def aviseg_layout(src: str, dst: str) -> str:
    """ToyAVIS ``src`` as an AVISeg release: 26 categories in the JSONs, a
    ``test`` split (the val videos), VGGish-shaped features."""
    from seavis_mm.datasets import AVISEG_CLASSES
    os.makedirs(dst)
    for split, source in (('train', 'train'), ('val', 'val'),
                          ('test', 'val')):
        with open(osp.join(src, f'{source}.json')) as f:
            ann = json.load(f)
        ann['categories'] = [
            dict(id=i + 1, name=name)
            for i, name in enumerate(AVISEG_CLASSES)
        ]
        with open(osp.join(dst, f'{split}.json'), 'w') as f:
            json.dump(ann, f)
        os.symlink(osp.join(src, source), osp.join(dst, split))
    for split in ('train', 'val'):
        feat_dir = osp.join(src, split, 'FEATAudios')
        os.makedirs(feat_dir, exist_ok=True)
        with open(osp.join(src, f'{split}.json')) as f:
            videos = json.load(f)['videos']
        rng = np.random.RandomState(0)
        for v in videos:
            name = v['file_names'][0].split('/')[0]
            np.save(osp.join(feat_dir, f'{name}.npy'),
                    rng.rand(v['length'], 128).astype(np.float32))
    return dst


@pytest.fixture(scope='module')
def datasets(tmp_path_factory):
    """ToyAVIS (5 classes) and the same videos in the AVISeg layout, with
    clips long enough for the configs' 5-frame training samples."""
    from seavis_mm.datasets.toyavis import make_toyavis
    toy = str(tmp_path_factory.mktemp('toyavis_released'))
    # every visible object too: the *_visible-gt configs train on it
    make_toyavis(toy, train_videos=2, val_videos=1, seed=0,
                 num_frames_range=(6, 7), write_visible=True)
    aviseg = aviseg_layout(toy, str(tmp_path_factory.mktemp('x') / 'avis'))
    return dict(toy=toy + '/', aviseg=aviseg + '/')


def _family(name: str) -> str:
    if 'swin-l' in name:
        return 'swin-l'
    return 'r50' if AVISEG in name else ''


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize('config', CONFIGS, ids=osp.basename)
def test_released_config_trains_and_tests(config, datasets, tmp_path):
    name = osp.splitext(osp.basename(config))[0]
    root = datasets['aviseg' if AVISEG in name else 'toy']
    run_cfg = str(tmp_path / f'{name}_ci.py')
    with open(run_cfg, 'w') as f:
        f.write(RUN.format(config=config, root=root) +
                SIZES.get(_family(name), ''))
    if 'audio-pretrained' in name or 'audio-visual-pretrained' in name:
        write_audio_tagger_checkpoint(str(tmp_path))
    if 'visual-pretrained' in name:
        write_visual_pretrain_checkpoint(str(tmp_path))
    work = str(tmp_path / 'work')
    proc = run_tool([PYTHON, TRAIN, run_cfg, '--work-dir', work],
                    cwd=str(tmp_path), timeout=600)
    out = proc.stdout
    assert proc.returncode == 0, tail(out)
    assert 'Iter(train) [2/2]' in out, tail(out)
    loss = re.findall(r'Iter\(train\) \[2/2\].*? loss: ([0-9.]+|nan)', out)
    assert loss and loss[0] != 'nan', tail(out)
    ckpt = osp.join(work, 'iter_2.pth')
    assert osp.isfile(ckpt)

    results = str(tmp_path / 'results.json')
    proc = run_tool([
        PYTHON, TEST, run_cfg, ckpt, '--work-dir', work, '--out', results
    ], cwd=str(tmp_path), timeout=600)
    out = proc.stdout
    assert proc.returncode == 0, tail(out)
    assert 'Iter(test) [1/1]' in out, tail(out)
    assert re.search(r'avis/FSLA: [0-9.]+', out), tail(out)
    with open(results) as f:
        preds = json.load(f)
    assert isinstance(preds, list)
    # the tested video is the first of the split, whatever the model found
    for p in preds:
        assert set(p) >= {'video_id', 'score', 'category_id',
                          'segmentations'}
