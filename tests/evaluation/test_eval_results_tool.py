# Copyright (c) seavis_mm contributors. All rights reserved.
"""tools/analysis_tools/eval_results.py on files."""
import json
import os.path as osp
import subprocess
import sys

import pytest
from .avis_eval_cases import make_gt, perfect_results, standard_videos
from .._scripts import load_script

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOL = osp.join(ROOT, 'tools', 'analysis_tools', 'eval_results.py')


def load_tool():
    return load_script('tools/analysis_tools/eval_results.py')


@pytest.fixture
def files(tmp_path):
    videos = standard_videos()
    gt = tmp_path / 'gt.json'
    gt.write_text(json.dumps(make_gt(videos, [1, 2, 3], 'polygon')))
    res = tmp_path / 'results.json'
    res.write_text(json.dumps(perfect_results(videos, 'avism')))
    return str(gt), str(res), tmp_path


@pytest.mark.parametrize('protocol,fsla', [('strict', 100.0),
                                           ('aviseval', 100 * 4 / 11)])
def test_tool_prints_and_writes(files, protocol, fsla):
    gt, res, tmp = files
    out = str(tmp / 'scores.json')
    scores = load_tool().main(
        [gt, res, '--protocol', protocol, '--out', out])
    # what the user reads, from a fresh process: the tool logs through
    # mmengine's logger, whose handler keeps the stdout of the process that
    # made it first (in a test session, an earlier test's capture)
    printed = subprocess.run(
        [sys.executable, TOOL, gt, res, '--protocol', protocol],
        capture_output=True, text=True, cwd=ROOT, timeout=120).stdout
    for key in ('FSLA', 'FAn', 'FAs', 'FAm', 'HOTA', 'DetA', 'AssA', 'LocA',
                'mAP'):
        assert f'avis/{key}: ' in printed
    assert f'avis/FSLA: {fsla:.2f}' in printed
    saved = json.loads(open(out).read())
    assert saved['protocol'] == protocol
    assert saved['metrics']['avis/FSLA'] == pytest.approx(fsla)
    assert saved['metrics']['avis/mAP_m'] is None  # undefined, not NaN
    assert set(saved['per_video']) == {'1', '2'}
    assert scores['avis/FSLA'] == pytest.approx(fsla)


def test_tool_runs_as_a_script(files):
    gt, res, _ = files
    proc = subprocess.run(
        [sys.executable, TOOL, gt, res, '--metrics', 'FSLA'],
        capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert 'avis/FSLA: 100.00' in proc.stdout
    assert 'avis/HOTA' not in proc.stdout
