# Copyright (c) seavis_mm contributors. All rights reserved.
"""tools/run_pretrain.sh, copied into a scratch tree and run with a
stand-in interpreter that records what it runs (the real chain takes two
hours here): the sets, the tagger and the visual stages in order, each
stage skipped when done and resumed when cut, and its work dirs where the
pretrained configs look for the checkpoints."""
import os
import os.path as osp
import shutil
import stat
import subprocess

from tests._scripts import ROOT
from ._pretrained import audio_checkpoint_name, visual_checkpoint_names

FAKE_PY = r'''#!/usr/bin/env bash
# a config's train_cfg.max_iters (python -c ...): the visual stages' 1,200
[ "$1" = "-c" ] && { echo 1200; exit 0; }
# record the call, then act as make_toyavis.py / tools/train.py would
echo "$*" >> "$CALLS"
case "$1" in
    tools/dataset_converters/make_toyavis.py)
        mkdir -p "$2"
        touch "$2/train.json" "$2/train_visible.json" "$2/val_visible.json";;
    tools/train.py)
        mkdir -p "$4"
        echo "$4/iter_1.pth" > "$4/last_checkpoint";;
esac
'''
CHAIN = ['pretrain', 'pretrain_2x', 'pretrain_large', 'pretrain_large2x',
         'pretrain_large3x', 'pretrain_large4x', 'pretrain_large5x']


def _run(tree, **env) -> list:
    calls = tree / 'calls.txt'
    if calls.exists():
        calls.unlink()
    done = subprocess.run(
        ['bash', str(tree / 'tools' / 'run_pretrain.sh')],
        env=dict(os.environ, PY=str(tree / 'fake_py'), CALLS=str(calls),
                 **env),
        capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return calls.read_text().splitlines() if calls.exists() else []


def _tree(tmp_path):
    os.makedirs(tmp_path / 'tools')
    shutil.copy(osp.join(ROOT, 'tools', 'run_pretrain.sh'),
                tmp_path / 'tools')
    fake = tmp_path / 'fake_py'
    fake.write_text(FAKE_PY)
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    return tmp_path


def _trains(calls):
    return [c.split()[1] for c in calls if c.startswith('tools/train.py')]


def test_run_pretrain_chain_in_order_then_skipped(tmp_path):
    tree = _tree(tmp_path)
    calls = _run(tree)
    sets = [c for c in calls if 'make_toyavis' in c]
    assert [s.split()[1] for s in sets] == [
        'data/toyavis', 'data/toyavis_pretrain', 'data/toyavis_pretrain_large'
    ]
    assert '--seed 3000' in sets[1] and '--seed 4000' in sets[2]
    assert '--train-videos 800' in sets[2]
    assert all('--write-visible' in s for s in sets)
    assert _trains(calls) == [
        'configs/audio_tagger/audio-tagger_toyavis.py'
    ] + [f'configs/visual_pretrain/mask2former_r18_toyavis-{s}.py'
         for s in CHAIN]
    assert not any('--resume' in c for c in calls)
    # started again: every set is there and every stage done
    assert _run(tree) == []


def test_run_pretrain_resumes_a_stage_cut_short(tmp_path):
    tree = _tree(tmp_path)
    _run(tree)
    work = tree / 'work_dirs' / 'visual_pretrain'
    # large2x stopped midway (a checkpoint, not done), large3x never began
    os.remove(work / 'mask2former_r18_toyavis-pretrain_large2x' / '.done')
    shutil.rmtree(work / 'mask2former_r18_toyavis-pretrain_large3x')
    calls = _run(tree)
    assert [c.split()[1] for c in calls] == [
        'configs/visual_pretrain/mask2former_r18_toyavis-pretrain_large2x.py',
        'configs/visual_pretrain/mask2former_r18_toyavis-pretrain_large3x.py'
    ]
    assert calls[0].endswith('--resume')
    assert not calls[1].endswith('--resume')


def test_run_pretrain_stages_short_of_the_larger_set(tmp_path):
    calls = _run(_tree(tmp_path), STAGES='pretrain pretrain_2x')
    assert not any('toyavis_pretrain_large' in c for c in calls)
    assert _trains(calls)[1:] == [
        'configs/visual_pretrain/mask2former_r18_toyavis-pretrain.py',
        'configs/visual_pretrain/mask2former_r18_toyavis-pretrain_2x.py'
    ]


def test_run_pretrain_writes_where_the_configs_load(tmp_path):
    """STAGES ending at pretrain_large3x (the zoo base's start) trains the
    chain to it and no further; the default STAGES then trains the large4x
    and large5x stages (the default config's start), in order. Every
    checkpoint the pretrained configs load (but the separate varied-set
    pretraining) then lies in a work dir of the chain."""
    tree = _tree(tmp_path)
    chain = 'pretrain pretrain_2x pretrain_large pretrain_large2x ' \
        'pretrain_large3x'
    _run(tree, STAGES=chain)
    names = visual_checkpoint_names()
    longer = ('large4x', 'large5x')
    dirs = [
        osp.dirname(names[f'visual_pretrained_checkpoint_{x}'])
        for x in longer
    ]
    for d in dirs:
        assert not (tree / d / '.done').exists()
    calls = _run(tree)
    assert _trains(calls) == [
        f'configs/visual_pretrain/mask2former_r18_toyavis-pretrain_{x}.py'
        for x in longer
    ]
    for key, path in names.items():
        if key.startswith('visual_pretrained_checkpoint') and \
                not key.endswith('varied'):
            assert (tree / osp.dirname(path) / '.done').exists(), key
    tagger = osp.dirname(audio_checkpoint_name())
    assert (tree / tagger / '.done').exists()


def test_run_pretrain_takes_a_stage_trained_to_its_end_as_done(tmp_path):
    """A stage trained to its last iteration without the script (by hand,
    as the configs' headers say) is done: resuming it would replay its
    whole dataloader for nothing. One whose last checkpoint is earlier
    resumes."""
    tree = _tree(tmp_path)
    _run(tree)
    work = tree / 'work_dirs' / 'visual_pretrain'
    done = work / 'mask2former_r18_toyavis-pretrain_large2x'
    os.remove(done / '.done')
    (done / 'iter_1200.pth').touch()
    (done / 'last_checkpoint').write_text(str(done / 'iter_1200.pth'))
    cut = work / 'mask2former_r18_toyavis-pretrain_large3x'
    os.remove(cut / '.done')
    (cut / 'iter_800.pth').touch()
    (cut / 'last_checkpoint').write_text(str(cut / 'iter_800.pth'))
    calls = _run(tree)
    assert calls == [
        'tools/train.py '
        'configs/visual_pretrain/mask2former_r18_toyavis-pretrain_large3x.py '
        '--work-dir work_dirs/visual_pretrain/'
        'mask2former_r18_toyavis-pretrain_large3x --resume'
    ]
    assert (done / '.done').exists()
