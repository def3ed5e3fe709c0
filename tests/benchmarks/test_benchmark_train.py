# Copyright (c) seavis_mm contributors. All rights reserved.
"""Smoke test of tools/analysis_tools/benchmark_train.py (no timing
assertions)."""
import json
import math

import pytest
import torch

from .conftest import TINY_CONFIG, load_tool

bt = load_tool('benchmark_train')


def test_count_images():
    clip = torch.zeros(2, 3, 8, 8)
    assert bt.count_images(dict(inputs=dict(imgs=[clip, clip]))) == 4
    assert bt.count_images(dict(inputs=[dict(imgs=clip)])) == 2
    assert bt.count_images(dict(inputs=torch.zeros(3, 2, 3, 8, 8))) == 6
    assert bt.count_images(None) == 0


@pytest.mark.slow
def test_benchmark_train_smoke(tmp_path, toyavis_root):
    out = tmp_path / 'train.json'
    res = bt.main([
        TINY_CONFIG, '--iters', '2', '--warmup', '1', '--threads', '1',
        '--out', str(out), '--cfg-options',
        f'train_dataloader.dataset.data_root={toyavis_root}'
    ])
    data = json.loads(out.read_text())
    assert data['iters'] == 2 and res['iters'] == 2
    for key in ('iters_per_s', 'images_per_s', 's_per_iter_mean'):
        assert math.isfinite(data[key]) and data[key] > 0, key
    # the tiny config trains on 1 clip of 2 frames per iteration
    assert data['images'] == 4 and data['images_per_iter'] == 2
    assert data['meta']['threads'] == 1
    assert 'avx512_vnni' in data['meta']['cpu_features']
    assert list(tmp_path.iterdir()) == [out]  # nothing else left behind


def test_benchmark_train_rejects_zero_iters():
    with pytest.raises(ValueError, match='--iters'):
        bt.main([TINY_CONFIG, '--iters', '0'])
