# Copyright (c) seavis_mm contributors. All rights reserved.
"""mim on the default install: a fresh ``git clone`` of this repository,
``make install`` (an editable ``pip install -e .``), then ``mim train`` (30
iterations), ``mim test``, ``mim run``, ``mim list`` and ``mim search``, and
an edit in the clone that takes effect without reinstalling.

The clone gets its own virtualenv, so the running environment is never
touched. Its packages come from the running environment (a ``.pth`` line
naming its site-packages, no network), so ``make install`` finds every
requirement satisfied and does only what is specific to this checkout: the
editable install of the clone and its links (setup.py).
"""
import os
import os.path as osp
import re
import subprocess
import sysconfig
import time

import pytest

from ._run import PYTHON, REPO, data_options, run_tool, tail, tool_env
from .test_mim import TINY_OPTIONS

TRAIN_ITERS = 30


def _mim(venv_python: str) -> list:
    # mim's console script is bound to the running environment's python;
    # `python -m mim` is the same entry point under the clone's interpreter
    return [venv_python, '-m', 'mim']


@pytest.fixture(scope='module')
def installed_clone(tmp_path_factory):
    """(clone dir, its venv python, make install seconds)."""
    base = tmp_path_factory.mktemp('fresh_clone')
    clone = str(base / 'seavis_mm')
    proc = run_tool(['git', 'clone', '-q', REPO, clone], cwd=str(base))
    assert proc.returncode == 0, tail(proc.stdout)
    venv = osp.join(clone, '.venv')
    proc = run_tool([PYTHON, '-m', 'venv', '--without-pip', venv],
                    cwd=clone)
    assert proc.returncode == 0, tail(proc.stdout)
    vpy = osp.join(venv, 'bin', 'python')
    site = subprocess.run(
        [vpy, '-c', 'import sysconfig; print(sysconfig.get_paths()'
         "['purelib'])"], stdout=subprocess.PIPE, text=True,
        check=True).stdout.strip()
    # the running environment's packages, after the clone's own: a plain
    # path line, so that environment's .pth files (its own editable
    # seavis_mm) are not processed
    with open(osp.join(site, 'parent_env.pth'), 'w') as f:
        f.write(sysconfig.get_paths()['purelib'] + '\n')
    env = tool_env(None)
    env.update(PIP_NO_INDEX='1', PIP_DISABLE_PIP_VERSION_CHECK='1')
    start = time.perf_counter()
    proc = run_tool(['make', 'install', f'PYTHON={vpy}'], cwd=clone,
                    env=env, timeout=900)
    seconds = time.perf_counter() - start
    assert proc.returncode == 0, tail(proc.stdout)
    # the clone's python imports the clone's package, through the link
    which = subprocess.run(
        [vpy, '-c', 'import os, seavis_mm; '
         'print(os.path.realpath(seavis_mm.__file__))'],
        cwd=str(base), stdout=subprocess.PIPE, text=True, env=tool_env(None),
        check=True).stdout.strip()
    assert which == osp.join(clone, 'seavis_mm', '__init__.py')
    assert osp.islink(osp.join(site, 'seavis_mm'))
    return clone, vpy, seconds


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_mim_on_a_fresh_clone(installed_clone, toyavis_root, tmp_path):
    clone, vpy, seconds = installed_clone
    print(f'make install on the fresh clone: {seconds:.1f} s')
    mim = _mim(vpy)
    env = tool_env(None)
    site_pkg = subprocess.run(
        [vpy, '-c', 'import sysconfig; print(sysconfig.get_paths()'
         "['purelib'])"], stdout=subprocess.PIPE, text=True,
        check=True).stdout.strip()
    mim_dir = osp.join(site_pkg, 'seavis_mm', '.mim')

    # mim list shows seavis_mm
    proc = run_tool(mim + ['list'], cwd=clone, env=env)
    assert proc.returncode == 0, tail(proc.stdout)
    assert re.search(r'^seavis[-_]mm\s+0\.', proc.stdout, re.M), proc.stdout

    # mim search: every model of the index, with its metrics (mim 0.3.9
    # names the training-data filter --dataset; it has no
    # --training-dataset)
    proc = run_tool(mim + ['search', 'seavis_mm'], cwd=clone, env=env)
    out = proc.stdout
    assert proc.returncode == 0, tail(out)
    import yaml
    with open(osp.join(clone, 'configs', 'seavis', 'metafile.yml')) as f:
        models = yaml.safe_load(f)['Models']
    for m in models:
        assert m['Name'] in out, (m['Name'], tail(out))
    fsla = [m for m in models if m['Name'] == 'seavis_r18_toyavis'][0][
        'Results'][0]['Metrics']['FSLA']
    assert str(fsla) in out and 'toyavis/fsla' in out.lower()
    proc = run_tool(
        mim + ['search', 'seavis_mm', '--dataset', 'ToyAVIS'],
        cwd=clone, env=env)
    out = proc.stdout
    assert proc.returncode == 0, tail(out)
    for m in models:
        shown = m['Name'] in out
        assert shown == (m['Metadata']['Training Data'] == 'ToyAVIS'), \
            (m['Name'], tail(out))

    # mim download looks for weights in the index: none are published,
    # and the index says so there
    proc = run_tool(mim + ['download', 'seavis_mm', '--config',
                           'seavis_r18_toyavis', '--dest',
                           str(tmp_path / 'dl')], cwd=clone, env=env)
    assert proc.returncode != 0
    assert 'not published' in proc.stdout, tail(proc.stdout)

    # mim train: 30 iterations, through the .mim link of the install
    work = str(tmp_path / 'work')
    config = 'configs/seavis/seavis_r18_toyavis.py'
    options = [o for o in TINY_OPTIONS if not o.startswith(
        ('train_cfg.max_iters', 'default_hooks.checkpoint'))]
    proc = run_tool(mim + [
        'train', 'seavis_mm', config, '--gpus', '0', '--work-dir', work,
        '--cfg-options', *data_options(toyavis_root),
        f'train_cfg.max_iters={TRAIN_ITERS}',
        f'default_hooks.checkpoint.interval={TRAIN_ITERS}', *options
    ], cwd=clone, env=env, timeout=900)
    out = proc.stdout
    assert proc.returncode == 0, tail(out)
    train_py = osp.join(mim_dir, 'tools', 'train.py')
    assert f'Training command is {vpy} {train_py} {config}' in out, tail(out)
    assert f'Iter(train) [{TRAIN_ITERS}/{TRAIN_ITERS}]' in out
    ckpt = osp.join(work, f'iter_{TRAIN_ITERS}.pth')
    assert osp.isfile(ckpt)

    # mim test on that checkpoint
    proc = run_tool(mim + [
        'test', 'seavis_mm', config, '--checkpoint', ckpt, '--gpus', '0',
        '--work-dir', str(tmp_path / 'test'), '--cfg-options',
        *data_options(toyavis_root), *options
    ], cwd=clone, env=env, timeout=600)
    out = proc.stdout
    assert proc.returncode == 0, tail(out)
    assert re.search(r'avis/FSLA: [0-9.]+', out), tail(out)

    # mim run: a tool of the package
    browse = str(tmp_path / 'browse')
    proc = run_tool(mim + [
        'run', 'seavis_mm', 'browse_dataset', toyavis_root, '--videos', '1',
        '--output-dir', browse
    ], cwd=clone, env=env)
    assert proc.returncode == 0, tail(proc.stdout)
    assert len(os.listdir(browse)) == 1

    # edits take effect without reinstalling: a new config in the clone is
    # found by its bare name, a new module of the package imports
    with open(osp.join(clone, 'configs', 'seavis',
                       'seavis_r18_toyavis_edit.py'), 'w') as f:
        f.write("_base_ = './seavis_r18_toyavis.py'\n")
    with open(osp.join(clone, 'seavis_mm', 'edit_probe.py'), 'w') as f:
        f.write('VALUE = 17\n')
    probe = subprocess.run(
        [vpy, '-c', 'from seavis_mm.edit_probe import VALUE; print(VALUE)'],
        cwd=str(tmp_path), env=env, stdout=subprocess.PIPE, text=True)
    assert probe.stdout.strip() == '17'
    proc = run_tool(mim + [
        'train', 'seavis_mm', 'seavis_r18_toyavis_edit.py', '--gpus', '0',
        '--work-dir', str(tmp_path / 'edit'), '--cfg-options',
        *data_options(toyavis_root), 'train_cfg.max_iters=2', *options
    ], cwd=str(tmp_path), env=env, timeout=600)
    out = proc.stdout
    assert proc.returncode == 0, tail(out)
    command = re.search(r'Training command is (.*?)\. ?$', out, re.M)
    assert command, tail(out)
    assert f'{train_py} ' in command.group(1), command.group(1)
    # the bare name resolved to the new file among the linked configs
    edited = command.group(1).split()[2]
    assert edited.endswith('seavis_r18_toyavis_edit.py'), command.group(1)
    assert osp.samefile(edited, osp.join(clone, 'configs', 'seavis',
                                          'seavis_r18_toyavis_edit.py'))
    assert 'Iter(train) [2/2]' in out
