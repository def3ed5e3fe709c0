# Copyright (c) seavis_mm contributors. All rights reserved.
"""Fixtures for the training-side reliability tests: ToyAVIS generated once
per session, one real tiny training run shared by the checkpoint tests."""
import os.path as osp

import pytest

from ._run import TINY_CFG, run_tool, tail, train_cmd


@pytest.fixture(scope='session')
def toyavis_root(tmp_path_factory) -> str:
    """4 train and 2 val ToyAVIS videos of 4-6 frames, once per session."""
    from seavis_mm.datasets.toyavis import make_toyavis
    root = str(tmp_path_factory.mktemp('toyavis'))
    make_toyavis(root, train_videos=4, val_videos=2, seed=0,
                 num_frames_range=(4, 6))
    return root


@pytest.fixture(scope='session')
def tiny_run(tmp_path_factory, toyavis_root) -> str:
    """A real 4-iteration run of the tiny config through tools/train.py:
    its work dir holds iter_2.pth, iter_4.pth and last_checkpoint."""
    work_dir = str(tmp_path_factory.mktemp('tiny_run'))
    proc = run_tool(train_cmd(TINY_CFG, work_dir, toyavis_root), work_dir)
    assert proc.returncode == 0, tail(proc.stdout)
    assert osp.isfile(osp.join(work_dir, 'iter_4.pth')), tail(proc.stdout)
    return work_dir
