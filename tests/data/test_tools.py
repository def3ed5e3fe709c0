# Copyright (c) seavis_mm contributors. All rights reserved.
"""The data tools: make_toyavis.py and browse_dataset.py."""
import json
import os.path as osp

import cv2
import numpy as np
from .avis_data_helpers import load_tool


def test_make_toyavis_cli(tmp_path):
    tool = load_tool('tools/dataset_converters/make_toyavis.py')
    out = str(tmp_path / 'toy')
    stats = tool.main([
        out, '--train-videos', '2', '--val-videos', '1', '--seed', '3',
        '--max-frames', '9', '--write-visible', '--export-mp4', '1'
    ])
    assert set(stats) == {'train', 'val'}
    s = stats['train']
    assert abs(s['frac_0_sounding'] + s['frac_1_sounding'] +
               s['frac_2plus_sounding'] - 1) < 1e-9
    with open(osp.join(out, 'train.json')) as f:
        sounding = json.load(f)
    with open(osp.join(out, 'train_visible.json')) as f:
        visible = json.load(f)
    assert all(8 <= v['length'] <= 9 for v in sounding['videos'])
    n_s = sum(x is not None for a in sounding['annotations']
              for x in a['segmentations'])
    n_v = sum(x is not None for a in visible['annotations']
              for x in a['segmentations'])
    assert n_v >= n_s
    assert osp.isfile(osp.join(out, 'mp4', 'val', 'val_00000.mp4'))


def test_browse_dataset_writes_png(toyavis_root, tmp_path):
    tool = load_tool('tools/analysis_tools/browse_dataset.py')
    paths = tool.main([
        toyavis_root, '--split', 'val', '--videos', '1', '--max-frames', '4',
        '--out-dir',
        str(tmp_path)
    ])
    assert len(paths) == 1
    img = cv2.imread(paths[0])
    # 4 frames of 256x256 (scaled x2), each over an 85 px spectrogram.
    assert img.shape[0] >= 256 + 48 and img.shape[1] >= 4 * 256
    assert img.std() > 10 and not np.all(img == 255)
