# Copyright (c) seavis_mm contributors. All rights reserved.
import importlib.util
import os.path as osp

import pytest
import torch

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOLS = osp.join(ROOT, 'tools', 'analysis_tools')
# the real ToyAVIS config shrunk to a fraction of a second per step
TINY_CONFIG = osp.join(ROOT, 'tests', 'data_configs', 'seavis_tiny_toyavis.py')

torch.set_num_threads(1)


def load_tool(name: str):
    """Import ``tools/analysis_tools/<name>.py`` (not a package)."""
    spec = importlib.util.spec_from_file_location(
        f'bench_{name}', osp.join(TOOLS, f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='session')
def toyavis_root(tmp_path_factory):
    """A tiny generated ToyAVIS: one 5-frame video per split."""
    from seavis_mm.datasets.toyavis import make_toyavis
    root = str(tmp_path_factory.mktemp('toyavis_bench'))
    make_toyavis(root, train_videos=1, val_videos=1, seed=5,
                 num_frames_range=(5, 5))
    return root + '/'
