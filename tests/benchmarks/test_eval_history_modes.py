# Copyright (c) seavis_mm contributors. All rights reserved.
"""Smoke test of tools/analysis_tools/eval_history_modes.py on a random
tiny checkpoint (the numbers are meaningless; the table is checked)."""
import argparse
import json

import pytest
import torch
from mmengine.config import Config
from mmengine.runner.checkpoint import save_checkpoint

from seavis_mm.registry import MODELS

from .conftest import TINY_CONFIG, load_tool

eh = load_tool('eval_history_modes')


def test_parse_mode():
    assert eh.parse_mode('unbounded') == ('unbounded', None)
    assert eh.parse_mode('ring:4') == ('ring', 4)
    assert eh.parse_mode('summary:16') == ('summary', 16)
    for bad in ('ring', 'ring:0', 'ring:x', 'window:4', 'unbounded:3'):
        with pytest.raises(argparse.ArgumentTypeError):
            eh.parse_mode(bad)


def test_format_table_shows_differences():
    table = eh.format_table([
        ('unbounded', {'avis/FSLA': 50.0, 'avis/HOTA': 40.0}),
        ('ring:2', {'avis/FSLA': 48.5, 'avis/HOTA': 41.0}),
    ])
    assert 'FSLA' in table and 'HOTA' in table
    assert '48.50 (-1.50)' in table and '41.00 (+1.00)' in table


@pytest.mark.slow
def test_eval_history_modes_smoke(tmp_path, toyavis_root):
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(TINY_CONFIG).model)
    ckpt = str(tmp_path / 'tiny.pth')
    save_checkpoint(model.state_dict(), ckpt)
    out = tmp_path / 'modes.json'
    res = eh.main([
        TINY_CONFIG, ckpt, '--modes', 'unbounded', 'ring:2', '--threads',
        '1', '--out', str(out), '--cfg-options',
        f'test_dataloader.dataset.data_root={toyavis_root}'
    ])
    data = json.loads(out.read_text())
    assert list(data['results']) == ['unbounded', 'ring:2']
    assert data['results'] == res['results']
    for metrics in data['results'].values():
        assert any(k.endswith('FSLA') for k in metrics)
        assert any(k.endswith('HOTA') for k in metrics)
        assert all(0.0 <= v <= 100.0 for k, v in metrics.items()
                   if k.endswith(('FSLA', 'HOTA', 'mAP')))


def test_eval_history_modes_missing_checkpoint(tmp_path):
    with pytest.raises(FileNotFoundError, match='checkpoint not found'):
        eh.main([TINY_CONFIG, str(tmp_path / 'none.pth')])
