#!/usr/bin/env python
# Copyright (c) seavis_mm contributors. All rights reserved.
"""Install seavis_mm.

Like mmdet's ``add_mim_extension()``, ``configs/``, ``tools/``, ``demo/`` and
``model-index.yml`` are placed under ``seavis_mm/.mim/`` so that
``mim train seavis_mm CONFIG`` / ``mim test`` find ``tools/train.py`` and the
configs: symlinks for editable installs, real copies for wheels and sdists.

pip >= 21.3 runs an editable install (``pip install -e .``) through PEP 660's
``editable_wheel`` command, not ``develop``, so both are handled here; an
extension that only acts on ``develop`` would never create ``.mim``.

mim 0.3.9 (and mmengine's ``get_installed_path``) locate a package as
``<location of its dist-info>/seavis_mm``. A PEP 660 editable install puts
the dist-info in site-packages and leaves the code in the checkout, so mim
looked for ``site-packages/seavis_mm/.mim`` and failed. An editable install
therefore also makes ``site-packages/seavis_mm`` a symlink to the checkout's
package (:func:`link_site_packages`): the interpreter imports the checkout's
code through it (edits take effect without reinstalling) and mim finds the
``.mim`` links beside it (docs/en/get_started.md).
"""
import os
import os.path as osp
import shutil
import sys
import sysconfig
import warnings

from setuptools import find_packages, setup

MIM_FILES = ['configs', 'demo', 'tools', 'model-index.yml']


def readme() -> str:
    with open('README.md', encoding='utf-8') as f:
        return f.read()


def get_version() -> str:
    scope = {}
    with open(osp.join('seavis_mm', 'version.py')) as f:
        exec(compile(f.read(), 'seavis_mm/version.py', 'exec'), scope)
    return scope['__version__']


def parse_requirements(fname: str) -> list:
    """Read a requirements file, following ``-r`` includes."""
    reqs = []
    with open(fname) as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if not line:
                continue
            if line.startswith('-r '):
                reqs += parse_requirements(
                    osp.join(osp.dirname(fname), line[3:].strip()))
            else:
                reqs.append(line)
    return reqs


def add_mim_extension() -> None:
    """Place MIM files under ``seavis_mm/.mim``: symlinks for editable /
    develop installs, copies for wheels and sdists."""
    if any(cmd in sys.argv for cmd in ('develop', 'editable_wheel')):
        mode = 'symlink'
    elif any(cmd in sys.argv
             for cmd in ('sdist', 'bdist_wheel', 'install', 'build',
                         'build_py')):
        mode = 'copy'
    else:
        return

    repo_path = osp.dirname(osp.abspath(__file__))
    mim_path = osp.join(repo_path, 'seavis_mm', '.mim')
    os.makedirs(mim_path, exist_ok=True)

    for filename in MIM_FILES:
        src_path = osp.join(repo_path, filename)
        tar_path = osp.join(mim_path, filename)
        if not osp.exists(src_path):
            continue
        if osp.isfile(tar_path) or osp.islink(tar_path):
            os.remove(tar_path)
        elif osp.isdir(tar_path):
            shutil.rmtree(tar_path)

        if mode == 'symlink':
            src_relpath = osp.relpath(src_path, osp.dirname(tar_path))
            try:
                os.symlink(src_relpath, tar_path)
            except OSError:
                # Filesystems without symlinks: fall back to a copy, which
                # goes stale when the sources change, so say so.
                mode = 'copy'
                warnings.warn(f'Failed to symlink {src_relpath} to '
                              f'{tar_path}; copying instead (re-run the '
                              'install after editing configs/ or tools/).')
        if mode == 'copy':
            if osp.isfile(src_path):
                shutil.copyfile(src_path, tar_path)
            else:
                shutil.copytree(
                    src_path,
                    tar_path,
                    ignore=shutil.ignore_patterns('__pycache__', '*.pyc'))


def link_site_packages() -> None:
    """Editable installs: ``<site-packages>/seavis_mm`` -> the checkout's
    ``seavis_mm``, so that mim finds the package where its dist-info is.

    The build runs with the interpreter of the environment pip installs
    into, so ``sysconfig``'s purelib is that environment's site-packages
    (not so for ``pip install --user/--target/--prefix -e .``: there mim
    needs ``python tools/train.py`` instead). A real directory is never
    replaced (a regular install lives there); a symlink is refreshed.
    """
    if not any(cmd in sys.argv for cmd in ('develop', 'editable_wheel')):
        return
    repo_pkg = osp.join(osp.dirname(osp.abspath(__file__)), 'seavis_mm')
    site = sysconfig.get_paths()['purelib']
    link = osp.join(site, 'seavis_mm')
    if osp.realpath(site) == osp.realpath(osp.dirname(repo_pkg)):
        return  # the checkout is site-packages itself
    if osp.islink(link):
        if os.readlink(link) == repo_pkg:
            return
        os.remove(link)
    elif osp.exists(link):
        warnings.warn(f'{link} is a regular install of seavis_mm; not '
                      'linking the editable checkout there (mim will use '
                      'that install). Uninstall it and re-run pip install '
                      '-e . to use the checkout with mim.')
        return
    try:
        os.symlink(repo_pkg, link)
    except OSError as e:
        warnings.warn(f'Could not link {link} -> {repo_pkg} ({e}): '
                      '`mim train seavis_mm` will not find this checkout; '
                      'run python tools/train.py instead.')


if __name__ == '__main__':
    add_mim_extension()
    link_site_packages()
    setup(
        name='seavis_mm',
        version=get_version(),
        description='Online audio-visual instance segmentation (SeaVIS) '
        'for MMDetection',
        long_description=readme(),
        long_description_content_type='text/markdown',
        keywords='computer vision, audio-visual, video instance segmentation',
        # 'x.*' too: tests/models has an __init__.py, and without the
        # pattern a wheel installs a top-level `tests` package
        packages=find_packages(exclude=('configs', 'configs.*', 'tools',
                                        'tools.*', 'demo', 'demo.*', 'tests',
                                        'tests.*', 'docs', 'docs.*')),
        include_package_data=True,
        package_data={'seavis_mm': ['.mim/**/*', '.mim/*']},
        python_requires='>=3.8',
        classifiers=[
            'Operating System :: OS Independent',
            'License :: OSI Approved :: Apache Software License',
            'Programming Language :: Python :: 3',
        ],
        license='Apache License 2.0',
        install_requires=parse_requirements('requirements/runtime.txt'),
        extras_require={
            'tests': parse_requirements('requirements/tests.txt'),
            'mim': parse_requirements('requirements/mminstall.txt'),
        },
        zip_safe=False)
