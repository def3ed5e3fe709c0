# Copyright (c) seavis_mm contributors. All rights reserved.
"""Shared fixtures of the data tests: a tiny generated ToyAVIS."""
import shutil

import pytest

from seavis_mm.datasets.toyavis import make_toyavis


@pytest.fixture(scope='session')
def toyavis_root(tmp_path_factory):
    """4 train and 2 val ToyAVIS videos (seed 0); treat as read-only."""
    root = str(tmp_path_factory.mktemp('toyavis'))
    make_toyavis(root, train_videos=4, val_videos=2, seed=0)
    return root


@pytest.fixture
def toyavis_copy(toyavis_root, tmp_path):
    """A writable copy of the tiny ToyAVIS (for corrupting files)."""
    dst = str(tmp_path / 'toy')
    shutil.copytree(toyavis_root, dst)
    return dst
