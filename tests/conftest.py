# Copyright (c) seavis_mm contributors. All rights reserved.
import os

import pytest

# The suite runs on 2 shared cores: keep each test single-threaded.
os.environ.setdefault('OMP_NUM_THREADS', '1')


def pytest_configure(config):
    import torch
    torch.set_num_threads(1)
    from seavis_mm.utils import register_all_modules
    register_all_modules(init_default_scope=True)


@pytest.fixture
def tmp_data_dir(tmp_path):
    return tmp_path
