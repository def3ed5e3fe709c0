# Copyright (c) seavis_mm contributors. All rights reserved.
import os.path as osp

import pytest
import torch

from .._scripts import load_script

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
# the real ToyAVIS config shrunk to a fraction of a second per step
TINY_CONFIG = osp.join(ROOT, 'tests', 'data_configs', 'seavis_tiny_toyavis.py')

torch.set_num_threads(1)


def load_tool(name: str):
    """Import ``tools/analysis_tools/<name>.py`` (not a package)."""
    return load_script(f'tools/analysis_tools/{name}.py', f'bench_{name}')


@pytest.fixture(scope='session')
def toyavis_root(tmp_path_factory):
    """A tiny generated ToyAVIS: one 5-frame video per split."""
    from seavis_mm.datasets.toyavis import make_toyavis
    root = str(tmp_path_factory.mktemp('toyavis_bench'))
    make_toyavis(root, train_videos=1, val_videos=1, seed=5,
                 num_frames_range=(5, 5))
    return root + '/'
