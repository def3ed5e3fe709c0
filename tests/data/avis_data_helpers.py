# Copyright (c) seavis_mm contributors. All rights reserved.
"""Helpers of the data tests: dataset configs, hand-written AVISeg-layout
datasets, loading scripts under tools/."""
import json
import os
import os.path as osp

import cv2
import numpy as np
import soundfile as sf

from seavis_mm.datasets.toyavis import TOYAVIS_CLASSES
from .._scripts import load_script


def toy_dataset_cfg(root, split='train', **kwargs):
    cfg = dict(type='AVISegDataset',
               data_root=root,
               ann_file=f'{split}.json',
               data_prefix=dict(img_path=f'{split}/JPEGImages/',
                                audio_path=f'{split}/WAVAudios/',
                                feat_path=f'{split}/FEATAudios/'),
               metainfo=dict(classes=TOYAVIS_CLASSES),
               pipeline=[])
    cfg.update(kwargs)
    return cfg


def build(cfg):
    from seavis_mm.registry import DATASETS
    return DATASETS.build(cfg)


def write_mini(root,
               videos,
               annotations,
               categories=None,
               wav_seconds=None,
               split='train',
               size=(16, 20)):
    """Write a minimal AVISeg-layout dataset: frames (random), one wav a
    video (silence of ``wav_seconds`` or the video length) and the JSON."""
    h, w = size
    rng = np.random.default_rng(0)
    for v in videos:
        for fn in v['file_names']:
            path = osp.join(root, split, 'JPEGImages', fn)
            if '..' in fn or osp.isabs(fn):
                continue
            os.makedirs(osp.dirname(path), exist_ok=True)
            cv2.imwrite(path, rng.integers(0, 255, (h, w, 3), np.uint8))
        name = v['file_names'][0].split('/')[0]
        wav = osp.join(root, split, 'WAVAudios', name + '.wav')
        os.makedirs(osp.dirname(wav), exist_ok=True)
        secs = wav_seconds if wav_seconds is not None else len(v['file_names'])
        sf.write(wav, np.zeros(int(secs * 16000), np.float32), 16000)
    if categories is None:
        categories = [
            dict(id=i + 1, name=n) for i, n in enumerate(TOYAVIS_CLASSES)
        ]
    with open(osp.join(root, f'{split}.json'), 'w') as f:
        json.dump(
            dict(videos=videos, annotations=annotations,
                 categories=categories), f)


def mini_video(vid=1, name='vid', num=3, h=16, w=20):
    return dict(id=vid,
                file_names=[f'{name}/{t:05d}.jpg' for t in range(num)],
                length=num,
                height=h,
                width=w)


def load_tool(relpath):
    """Import a script under tools/ by path (tools/ is not a package)."""
    return load_script(relpath)
