# Copyright (c) seavis_mm contributors. All rights reserved.
"""``mim train seavis_mm CONFIG`` through an installed wheel.

mim 0.3.9 finds a codebase with pkg_resources:
``get_distribution('seavis_mm').location + '/seavis_mm/.mim/tools/train.py'``.
A wheel installs code, dist-info and ``.mim`` side by side, which is what
this test builds, installs into a private directory and runs mim on (the
editable install: test_mim_fresh_clone.py).
"""
import os
import os.path as osp
import shutil
import subprocess

import pytest

from ._run import PYTHON, REPO, data_options, run_tool, tail, tool_env

# the tiny model as --cfg-options on the *installed* real config
TINY_OPTIONS = [
    'train_cfg.max_iters=2', 'train_cfg.val_begin=1000',
    'default_hooks.checkpoint.interval=2', 'default_hooks.logger.interval=1',
    'model.backbone.base_channels=16',
    'model.track_head.in_channels=[16,32,64,128]',
    'model.track_head.num_queries=6',
    'model.track_head.pixel_decoder.encoder.num_layers=1',
    'model.track_head.train_cfg.num_points=64',
    'train_dataloader.batch_size=1',
    'train_dataloader.dataset.pipeline.0.num_frames=2'
] + [
    f'{split}_dataloader.{key}'
    for split in ('train', 'val', 'test')
    for key in ('num_workers=0', 'persistent_workers=False')
]

# never copied into the build tree: environments, data, outputs, git
_SKIP_TOP = {'.venv', '.git', 'data', 'work_dirs', 'build', 'dist',
             'outputs', '.pytest_cache', '.hypothesis'}


def _ignore(directory, names):
    skip = {n for n in names if n == '__pycache__' or n.endswith(
        ('.egg-info', '.pyc', '.pth'))}
    if osp.abspath(directory) == REPO:
        skip |= _SKIP_TOP & set(names)
    elif osp.abspath(directory) == osp.join(REPO, 'seavis_mm'):
        skip |= {'.mim'} & set(names)  # the build makes its own
    return skip


def build_and_install(tmp_path) -> str:
    """Wheel of a copy of the checkout (the build writes .mim/, build/ and
    *.egg-info into its source tree, which must not be the shared
    checkout), installed with ``pip --target``. Returns the target dir."""
    src = str(tmp_path / 'src')
    shutil.copytree(REPO, src, ignore=_ignore, symlinks=True)
    wheels, target = str(tmp_path / 'wheels'), str(tmp_path / 'site')
    pip = [PYTHON, '-m', 'pip']
    # --no-index: nothing from the network; the source is an absolute path
    # (a bare name would be looked up on PyPI)
    proc = run_tool(pip + ['wheel', '--no-index', '--no-deps',
                           '--no-build-isolation', '-w', wheels, src],
                    cwd=str(tmp_path), env=tool_env(None))
    assert proc.returncode == 0, tail(proc.stdout)
    (wheel, ) = os.listdir(wheels)
    proc = run_tool(pip + ['install', '--no-index', '--no-deps', '--target',
                           target, osp.join(wheels, wheel)],
                    cwd=str(tmp_path), env=tool_env(None))
    assert proc.returncode == 0, tail(proc.stdout)
    return target


@pytest.mark.slow
def test_mim_train_from_wheel(toyavis_root, tmp_path):
    site = build_and_install(tmp_path)
    mim_dir = osp.join(site, 'seavis_mm', '.mim')
    # setup.py's add_mim_extension copied what mim needs
    for rel in ('tools/train.py', 'tools/test.py', 'tools/dist_train.sh',
                'configs/seavis/seavis_r18_toyavis.py',
                'configs/_base_/default_runtime.py'):
        assert osp.isfile(osp.join(mim_dir, rel)), rel
    if osp.isfile(osp.join(REPO, 'model-index.yml')):
        assert osp.isfile(osp.join(mim_dir, 'model-index.yml'))
    # and the wheel holds the package only, no top-level `tests`
    assert not osp.exists(osp.join(site, 'tests'))

    env = tool_env(site)  # pkg_resources meets site/'s dist-info first
    which = subprocess.run(
        [PYTHON, '-c', 'import seavis_mm; print(seavis_mm.__file__)'],
        cwd=str(tmp_path), env=env, stdout=subprocess.PIPE, text=True,
        check=True)
    assert which.stdout.strip() == osp.join(site, 'seavis_mm',
                                            '__init__.py')

    work = str(tmp_path / 'work')
    mim = osp.join(osp.dirname(PYTHON), 'mim')
    # a bare config name: mim finds it among the installed .mim/configs
    proc = run_tool([
        mim, 'train', 'seavis_mm', 'seavis_r18_toyavis.py', '--gpus', '0',
        '--work-dir', work, '--cfg-options', *data_options(toyavis_root),
        *TINY_OPTIONS
    ], cwd=str(tmp_path), env=env)
    out = proc.stdout
    assert proc.returncode == 0, tail(out)
    assert f'Training command is {PYTHON} ' \
        f'{osp.join(mim_dir, "tools", "train.py")} ' \
        f'{osp.join(mim_dir, "configs", "seavis", "seavis_r18_toyavis.py")}' \
        in out, tail(out)
    assert 'Iter(train) [2/2]' in out
    assert 'Training finished successfully.' in out
    assert osp.isfile(osp.join(work, 'iter_2.pth'))
