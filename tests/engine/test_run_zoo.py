# Copyright (c) seavis_mm contributors. All rights reserved.
"""tools/run_zoo.sh, with a stand-in interpreter that records what it runs.

A zoo queue takes hours here, so a queue cut short must start again with
the same command: trained rows are only tested, a training stopped midway
resumes. The stand-in writes the checkpoints a training would write.
"""
import os
import os.path as osp
import re
import shutil
import stat
import subprocess
from typing import Optional

from tests._scripts import ROOT, load_script

FAKE_PY = r'''#!/usr/bin/env bash
# record the call, then act as tools/train.py / tools/test.py would
echo "$*" >> "$CALLS"
script=$1; shift
work=""
while [ $# -gt 0 ]; do
    [ "$1" = "--work-dir" ] && work=$2
    shift
done
case "$script" in
    tools/train.py)
        mkdir -p "$work"
        touch "$work/iter_4.pth"
        echo "$work/iter_4.pth" > "$work/last_checkpoint";;
esac
'''


def _run_zoo(tmp_path, configs: Optional[str], check: bool = True,
             script: str = osp.join(ROOT, 'tools', 'run_zoo.sh'),
             **extra_env: str) -> list:
    """Run ``script`` (run_zoo.sh) with the stand-in; ``configs`` None
    leaves CONFIGS unset (the zoo of record)."""
    fake = tmp_path / 'fake_py'
    fake.write_text(FAKE_PY)
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    calls = tmp_path / 'calls.txt'
    if calls.exists():
        calls.unlink()
    env = dict(
        os.environ,
        PY=str(fake),
        CALLS=str(calls),
        GEN='0',
        COLLECT='0',
        VAL2='0',
        ITERS='4',
        JOBS='1',
        OUT=str(tmp_path / 'zoo'))
    env.update(extra_env)
    env.pop('CONFIGS', None)
    if configs is not None:
        env['CONFIGS'] = configs
    done = subprocess.run(['bash', script],
                          env=env,
                          capture_output=True,
                          text=True,
                          timeout=60)
    assert (done.returncode == 0) == check, done.stderr
    return calls.read_text().splitlines() if calls.exists() else []


def _trainings(calls: list) -> list:
    return [c for c in calls if c.startswith('tools/train.py')]


def test_run_zoo_trains_then_only_tests(tmp_path):
    calls = _run_zoo(tmp_path, 'seavis_r18_toyavis seavis_r18_toyavis%1')
    trains = _trainings(calls)
    assert len(trains) == 2
    assert not any('--resume' in c for c in trains)
    assert any('randomness.seed=1' in c for c in trains)
    # the seed-1 row has its own work root
    assert osp.exists(tmp_path / 'zoo_seed1' / 'seavis_r18_toyavis' /
                      'iter_4.pth')
    assert len([c for c in calls if c.startswith('tools/test.py')]) == 2

    # started again: both rows are trained, so they are only tested
    calls = _run_zoo(tmp_path, 'seavis_r18_toyavis seavis_r18_toyavis%1')
    assert _trainings(calls) == []
    assert len([c for c in calls if c.startswith('tools/test.py')]) == 2

    # RETRAIN=1 trains again from scratch: no resume, which would end at
    # once at max_iters
    calls = _run_zoo(tmp_path, 'seavis_r18_toyavis', RETRAIN='1')
    assert len(_trainings(calls)) == 1
    assert '--resume' not in _trainings(calls)[0]


def test_run_zoo_resumes_a_stopped_training(tmp_path):
    work = tmp_path / 'zoo' / 'seavis_r18_toyavis'
    work.mkdir(parents=True)
    # stopped at iteration 2 of 4: a checkpoint, not the last one
    (work / 'iter_2.pth').touch()
    (work / 'last_checkpoint').write_text(str(work / 'iter_2.pth'))
    log = tmp_path / 'zoo' / 'seavis_r18_toyavis.train.log'
    log.write_text('first part of the run\n')
    calls = _run_zoo(tmp_path, 'seavis_r18_toyavis')
    trains = _trainings(calls)
    assert len(trains) == 1 and '--resume' in trains[0]
    # the resumed run appends to the stopped run's log
    assert log.read_text().startswith('first part of the run')


def test_run_zoo_tests_on_an_earlier_queues_checkpoint(tmp_path):
    """NAME@SOURCE, with SOURCE trained by an earlier queue, tests on its
    checkpoint at once (it waited forever for a training that this queue
    does not run); without that checkpoint it fails instead of waiting."""
    _run_zoo(tmp_path, 'seavis_r18_toyavis')
    calls = _run_zoo(
        tmp_path, 'seavis_r18_toyavis_old-tracker@seavis_r18_toyavis')
    assert _trainings(calls) == []
    tests = [c for c in calls if c.startswith('tools/test.py')]
    assert len(tests) == 1
    assert 'configs/seavis/seavis_r18_toyavis_old-tracker.py' in tests[0]
    link = (tmp_path / 'zoo' / 'seavis_r18_toyavis_old-tracker' /
            'iter_4.pth')
    assert link.is_symlink()
    assert os.readlink(link) == str(tmp_path / 'zoo' / 'seavis_r18_toyavis' /
                                    'iter_4.pth')
    # seed 1 was never trained: a clear failure, no test, no hang
    calls = _run_zoo(
        tmp_path, 'seavis_r18_toyavis_old-tracker@seavis_r18_toyavis%1',
        check=False)
    assert calls == []


def test_run_zoo_trains_on_a_configs_own_set_unless_data_is_given(tmp_path):
    # DATA not given: a config that names a larger training set (the
    # fine-tuning on data/toyavis_pretrain_large) keeps it; only the test
    # sets are pointed at DATA's val
    calls = _run_zoo(tmp_path, 'seavis_r18_toyavis')
    train, = _trainings(calls)
    assert 'train_dataloader.dataset.data_root' not in train
    assert 'test_dataloader.dataset.data_root=data/toyavis/' in train
    # DATA given: every row trains on it
    calls = _run_zoo(tmp_path, 'seavis_r18_toyavis', DATA='data/other',
                     RETRAIN='1')
    train, = _trainings(calls)
    assert 'train_dataloader.dataset.data_root=data/other/' in train


def _trained(calls: list) -> set:
    """(config name, seed) of every training in ``calls``."""
    out = set()
    for c in _trainings(calls):
        name = re.search(r'configs/seavis/(\S+)\.py', c).group(1)
        seed = int(re.search(r'randomness\.seed=(\d+)', c).group(1))
        out.add((name, seed))
    return out


def test_run_zoo_of_record_is_the_default_recipes(tmp_path):
    """CONFIGS unset: the zoo of record, the default config (collect_zoo's
    DEFAULT, Makefile's CONFIG) and both baselines from its starts, the
    zoo base (ZOO_BASE), both baselines from the zoo base's starts and an
    ablation row for every part of the zoo base (collect_zoo's rows), each
    trained on seeds 0 and 1, and the previous tracker tested on the zoo
    base's weights; ZOO=scratch is the from-scratch zoo before it."""
    zoo = load_script('tools/analysis_tools/collect_zoo.py')
    full = zoo.ZOO_BASE
    # the zoo base's ablations (the variants measured on it in session 35,
    # session 35's default among them, are not)
    variants = ('_tagger-prior', '_mask-pos')
    parts = [n for n, _ in zoo.ROWS
             if n.startswith(full + '_') and not n.endswith(variants)]
    assert len(parts) == 8  # seven trained ablations and the old tracker
    # the default is session 35's default from the large5x start
    assert zoo.DEFAULT == zoo.TAGGER_MASK_POS.replace('large3x', 'large5x')
    calls = _run_zoo(tmp_path, None, OUT=str(tmp_path / 'default'))
    baselines = [
        'mask2former-film_r18_toyavis_audio-visual-pretrained-{}_'
        'train-large',
        'mask2former-minvis_r18_toyavis_visual-pretrained-{}_train-large'
    ]
    names = [zoo.DEFAULT] + [b.format('large5x') for b in baselines] + [
        full
    ] + [p for p in parts if not p.endswith('_old-tracker')] + [
        b.format('large3x') for b in baselines
    ]
    assert _trained(calls) == {(n, s) for n in names for s in (0, 1)}
    for name in names:
        assert osp.isfile(osp.join(ROOT, 'configs', 'seavis', name + '.py'))
    # the default and its baselines come first, seeds 0 and 1
    first = [_trainings(calls)[i].split()[1] for i in range(6)]
    assert {osp.basename(c)[:-3] for c in first} == set(names[:3])
    tests = [c for c in calls if c.startswith('tools/test.py')]
    old = [c for c in tests if f'{full}_old-tracker.py' in c]
    assert len(old) == 2 and len(tests) == 2 * len(names) + 2
    # the from-scratch zoo of record before it
    calls = _run_zoo(tmp_path, None, ZOO='scratch',
                     OUT=str(tmp_path / 'scratch'))
    abl = ['no-identity', 'no-sound-prob', 'no-negfix', 'no-silent-frames',
           'audio-stream_no-past-audio', 'audio-stream_one-audio-token']
    names = ['seavis_r18_toyavis', 'seavis_r18_toyavis_prev',
             'mask2former-film_r18_toyavis', 'mask2former-minvis_r18_toyavis'
             ] + [f'seavis_r18_toyavis_{a}' for a in abl]
    assert _trained(calls) == {(n, s) for n in names for s in (0, 1)}


def test_run_zoo_builds_the_pretrained_starts_first(tmp_path):
    """GEN=1 and a pretrained row: tools/run_pretrain.sh runs first (in a
    scratch tree: it writes its work dirs beside the scripts), then the
    row trains; a from-scratch row needs no pretraining."""
    os.makedirs(tmp_path / 'tree' / 'tools')
    for name in ('run_zoo.sh', 'run_pretrain.sh'):
        shutil.copy(osp.join(ROOT, 'tools', name), tmp_path / 'tree' / 'tools')
    script = str(tmp_path / 'tree' / 'tools' / 'run_zoo.sh')
    full = load_script('tools/analysis_tools/collect_zoo.py').DEFAULT
    calls = _run_zoo(tmp_path, full, script=script, GEN='1')
    trains = [c.split()[1] for c in _trainings(calls)]
    assert trains[0] == 'configs/audio_tagger/audio-tagger_toyavis.py'
    assert trains[-2].endswith('pretrain_large5x.py')
    assert trains[-1] == f'configs/seavis/{full}.py'
    calls = _run_zoo(tmp_path, 'seavis_r18_toyavis', script=script, GEN='1',
                     OUT=str(tmp_path / 'zoo2'))
    assert [c.split()[1] for c in _trainings(calls)] == [
        'configs/seavis/seavis_r18_toyavis.py'
    ]


def test_run_zoo_lists_every_zoo_of_record():
    """The metafile run_zoo.sh writes lists the rows of the same zoos of
    record as collect_zoo.write_metafile_from_json (RECORDS), in order."""
    zoo = load_script('tools/analysis_tools/collect_zoo.py')
    script = open(osp.join(ROOT, 'tools', 'run_zoo.sh')).read()
    line = re.search(r'^RECORD_OPTS="--record (.*)"$', script, re.M)
    assert tuple(line.group(1).split()) == tuple(zoo.RECORDS)
