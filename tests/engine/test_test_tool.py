# Copyright (c) seavis_mm contributors. All rights reserved.
"""tools/test.py takes mmdet's flags (--out, --show-dir) and
tools/dist_test.sh runs on CPUs: 2 processes give the metrics of 1."""
import glob
import json
import os.path as osp
import pickle
import re

import cv2
import numpy as np
import pytest

from ._run import (PYTHON, REPO, TEST, TINY_CFG, data_options, free_port,
                   run_tool, tail, tool_env)

METRIC = re.compile(r'avis/(\w+): (-?[0-9.]+|nan)')


def metrics(out: str) -> dict:
    found = dict(METRIC.findall(out))
    assert 'FSLA' in found and 'HOTA' in found and 'mAP' in found, tail(out)
    return found


def _test_cmd(ckpt, work, root, *extra):
    return [PYTHON, TEST, TINY_CFG, ckpt, '--work-dir', work, *extra,
            '--cfg-options', *data_options(root)]


@pytest.mark.slow
def test_out_json_pkl_and_show_dir(tiny_run, toyavis_root, tmp_path):
    ckpt = osp.join(tiny_run, 'iter_4.pth')
    work = str(tmp_path / 'work')
    results = str(tmp_path / 'results.json')
    proc = run_tool(_test_cmd(ckpt, work, toyavis_root, '--out', results,
                              '--show-dir', 'show'), cwd=str(tmp_path))
    out = proc.stdout
    assert proc.returncode == 0, tail(out)
    metrics(out)
    with open(results) as f:
        preds = json.load(f)
    assert isinstance(preds, list)
    # --show-dir: one folder per val video (not mmdet's MOT-style
    # 'JPEGImages'), one drawing per frame, ground truth left, prediction
    # right, the ground-truth masks coloured
    with open(osp.join(toyavis_root, 'val.json')) as f:
        gt = json.load(f)
    (show, ) = glob.glob(osp.join(work, '*', 'show'))
    videos = sorted(v['file_names'][0].split('/')[0] for v in gt['videos'])
    assert sorted(osp.basename(d) for d in glob.glob(osp.join(show, '*'))) \
        == videos
    video = gt['videos'][0]
    name = video['file_names'][0].split('/')[0]
    drawn = sorted(glob.glob(osp.join(show, name, '*')))
    assert len(drawn) == video['length']
    for k, path in enumerate(drawn):
        img = cv2.imread(path)
        frame = cv2.imread(osp.join(toyavis_root, 'val', 'JPEGImages',
                                    video['file_names'][k]))
        h, w = frame.shape[:2]
        assert img.shape == (h, 2 * w, 3)
        anns = [a for a in gt['annotations']
                if a['video_id'] == video['id'] and a['segmentations'][k]]
        if anns:  # a sounding object: its mask is drawn on the GT side
            assert not np.array_equal(img[:, :w], frame)

    pkl = str(tmp_path / 'raw.pkl')
    proc = run_tool(_test_cmd(ckpt, str(tmp_path / 'w2'), toyavis_root,
                              '--out', pkl), cwd=str(tmp_path))
    assert proc.returncode == 0, tail(proc.stdout)
    with open(pkl, 'rb') as f:
        dumped = pickle.load(f)
    assert len(dumped) == len(gt['videos'])


@pytest.mark.slow
def test_dist_test_two_cpu_processes_match_one(tiny_run, toyavis_root,
                                               tmp_path):
    ckpt = osp.join(tiny_run, 'iter_4.pth')
    one = run_tool(_test_cmd(ckpt, str(tmp_path / 'one'), toyavis_root),
                   cwd=str(tmp_path))
    assert one.returncode == 0, tail(one.stdout)
    env = tool_env()
    env.update(PYTHON=PYTHON, PORT=str(free_port()))
    two = run_tool([
        'bash', osp.join(REPO, 'tools', 'dist_test.sh'), TINY_CFG, ckpt, '2',
        '--work-dir', str(tmp_path / 'two'), '--cfg-options',
        *data_options(toyavis_root)
    ], cwd=str(tmp_path), env=env)
    out = two.stdout
    assert two.returncode == 0, tail(out)
    assert out.count('CUDA is not available: using the gloo backend') == 2
    assert 'Distributed training: True' in out
    assert metrics(out) == metrics(one.stdout)
