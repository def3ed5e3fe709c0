# Copyright (c) seavis_mm contributors. All rights reserved.
import os.path as osp
import sys

import pytest
import torch

HERE = osp.dirname(osp.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)  # configs import the fakes by module name

torch.set_num_threads(1)


@pytest.fixture(scope='session')
def toyavis_root(tmp_path_factory):
    """One tiny ToyAVIS val video (AVISeg layout) and its .mp4 export."""
    from seavis_mm.datasets.toyavis import make_toyavis
    root = str(tmp_path_factory.mktemp('toyavis'))
    make_toyavis(
        root,
        train_videos=0,
        val_videos=1,
        seed=3,
        num_frames_range=(5, 5),
        export_mp4=1,
        mp4_fps=10)
    return root
