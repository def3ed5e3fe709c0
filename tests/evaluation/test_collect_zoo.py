# Copyright (c) seavis_mm contributors. All rights reserved.
"""tools/analysis_tools/collect_zoo.py on a made-up zoo folder: the table,
zoo.json, the silent-object column and the metafile come from the files."""
import json
import os
import os.path as osp

import pytest
import yaml

from .test_silence import RESULTS, SOUNDING, VISIBLE
from .._scripts import load_script

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _tool():
    return load_script('tools/analysis_tools/collect_zoo.py')


def _write(path, obj):
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(obj if isinstance(obj, str) else json.dumps(obj))


def _trained_checkpoint(path: str, name: str) -> None:
    """A checkpoint as mmengine's runner saves it: the run's config (here
    the config file with --cfg-options on top) in ``meta['cfg']``."""
    import torch
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(ROOT, 'configs', 'seavis', f'{name}.py'))
    assert cfg.train_dataloader.batch_size != 10  # the options must show
    cfg.merge_from_dict({
        'train_dataloader.batch_size': 10,
        'optim_wrapper.optimizer.lr': 6e-4,
        'train_cfg.max_iters': 4,
        'randomness.seed': 1
    })
    torch.save(dict(meta=dict(cfg=cfg.pretty_text), state_dict={}), path)


def test_trained_recipe_needs_the_config(tmp_path):
    """A checkpoint without the run's config is named, not guessed at."""
    import torch
    path = str(tmp_path / 'iter_4.pth')
    torch.save(dict(state_dict={}), path)
    with pytest.raises(ValueError, match='iter_4.pth.*no training config'):
        _tool().trained_recipe(path)
    assert _tool().trained_recipe(str(tmp_path / 'missing.pth')) is None


def test_collect_zoo(tmp_path):
    data, zoo, out = tmp_path / 'data', tmp_path / 'zoo', tmp_path / 'out'
    _write(str(data / 'val.json'), SOUNDING)
    _write(str(data / 'val_visible.json'), VISIBLE)
    name = 'seavis_r18_toyavis'
    work = zoo / name
    _write(str(work / 'results.json'), RESULTS)
    _write(
        str(zoo / f'{name}.train.log'),
        '11/25 06:23:20 - mmengine - INFO - Iter(train) [10/4]  loss: 2\n'
        '11/25 06:35:20 - mmengine - INFO - Iter(train) [20/4]  loss: 1\n')
    _write(str(work / '20261125_062309' / 'vis_data' / 'scalars.json'),
           '{"loss": 2.0, "iter": 10}\n')
    metafile = str(tmp_path / 'metafile.yml')
    rows = _tool().main([
        str(zoo), '--data-root', str(data), '--iters', '4', '--out-dir',
        str(out), '--fps-frames', '0', '--metafile', metafile
    ])
    assert [r['name'] for r in rows] == [name]  # the others are skipped
    row = rows[0]
    assert row['train_minutes'] == 12.0
    assert row["silence"]["silent_found"] == pytest.approx(200 / 3)
    assert 0 <= row['FSLA'] <= 100
    assert osp.isfile(row['log_json'])
    table = (out / 'zoo_table.md').read_text()
    # the config link resolves from where the table lies
    link = osp.relpath(osp.join(ROOT, 'configs', 'seavis', f'{name}.py'),
                       str(out))
    assert '| 66.7 |' in table and f'[{name}]({link})' in table
    saved = json.loads((out / 'zoo.json').read_text())
    assert saved['rows'][0]['FSLA'] == row['FSLA']
    meta = yaml.safe_load(open(metafile))
    models = {m['Name']: m for m in meta['Models']}
    assert models[name]['Results'][0]['Metrics']['FSLA'] == row['FSLA']
    assert models[name]['Metadata']['Iterations'] == 4
    # --reuse-fps: a row timed before keeps its frames/s (nothing is timed
    # here: --fps-frames 0 alone would leave it empty)
    _trained_checkpoint(str(work / 'iter_4.pth'), name)
    earlier = dict(rows=[dict(name=name, fps_cpu=12.5)])
    _write(str(tmp_path / 'earlier.json'), earlier)
    again = _tool().main([
        str(zoo), '--data-root', str(data), '--iters', '4', '--out-dir',
        str(out), '--fps-frames', '0', '--metafile', metafile,
        '--reuse-fps', str(tmp_path / 'earlier.json')
    ])
    assert again[0]['fps_cpu'] == 12.5
    meta = yaml.safe_load(open(metafile))
    models = {m['Name']: m for m in meta['Models']}
    assert models[name]['Results'][0]['Metrics']['FSLA'] == row['FSLA']
    assert models[name]['Metadata']['inference time (ms/im)'][0][
        'value'] == 80.0  # 1000 / 12.5
    # the recipe the run trained with (--cfg-options), not the config
    # file's: read from the config the checkpoint carries
    assert again[0]['train_recipe'] == dict(
        batch_size=10, frames_per_clip=2, lr=6e-4, max_iters=4, seed=1)
    assert models[name]['Metadata']['Batch Size'] == 10
    assert models[name]['Metadata']['Learning Rate'] == 6e-4
    # paper-scale configs are listed, without results, and exist
    for paper in ('seavis_r50_8xb2-20k_aviseg',
                  'seavis_swin-l_8xb2-20k_aviseg'):
        assert 'Results' not in models[paper]
        assert osp.isfile(osp.join(ROOT, models[paper]['Config']))


def test_collect_zoo_second_val_set_and_identity(tmp_path):
    """With --data-root2 each row is also scored on the second val set;
    both carry the identity columns (IDF1, ID switches, ids kept)."""
    from seavis_mm.evaluation.functional import evaluate_identity
    data, data2 = tmp_path / 'data', tmp_path / 'data2'
    zoo, out = tmp_path / 'zoo', tmp_path / 'out'
    for root in (data, data2):
        _write(str(root / 'val.json'), SOUNDING)
        _write(str(root / 'val_visible.json'), VISIBLE)
    names = ('seavis_r18_toyavis', 'seavis_r18_toyavis_no-ccaf')
    for name in names:
        _write(str(zoo / name / 'results.json'), RESULTS)
    # only the first row was tested on val2
    _write(str(zoo / names[0] / 'results_val2.json'), RESULTS[:1])
    rows = _tool().main([
        str(zoo), '--data-root', str(data), '--data-root2', str(data2),
        '--iters', '4', '--out-dir', str(out), '--fps-frames', '0',
        '--metafile', str(tmp_path / 'metafile.yml')
    ])
    assert [r['name'] for r in rows] == list(names)
    expect = evaluate_identity(SOUNDING, RESULTS, VISIBLE)
    expect2 = evaluate_identity(SOUNDING, RESULTS[:1], VISIBLE)
    assert rows[0]['identity']['IDF1'] == expect['IDF1']
    assert rows[0]['val2']['identity']['IDF1'] == expect2['IDF1']
    assert 'val2' not in rows[1]
    table = (out / 'zoo_table.md').read_text().splitlines()
    header = [c.strip() for c in table[0].strip('|').split('|')]
    assert 'val2 FSLA' in header and 'IDF1' in header
    assert 'val2 id kept across silent gaps %' in header
    cells = [c.strip() for c in table[2].strip('|').split('|')]
    assert len(cells) == len(header)
    assert cells[header.index('IDF1')] == f"{expect['IDF1']:.1f}"
    assert cells[header.index('val2 IDF1')] == f"{expect2['IDF1']:.1f}"
    assert cells[header.index('val2 FSLA')] == \
        f"{rows[0]['val2']['FSLA']:.1f}"
    row2 = [c.strip() for c in table[3].strip('|').split('|')]
    assert row2[header.index('val2 FSLA')] == '-'
    saved = json.loads((out / 'zoo.json').read_text())
    assert saved['data']['root2'] == str(data2)


def test_merge_records_this_runs_rows_first(tmp_path):
    """The metafile's rows: this run's, then each record's rows of other
    names (an earlier record wins a name); a missing record is skipped."""
    tool = _tool()
    first, second = tmp_path / 'a.json', tmp_path / 'b.json'
    first.write_text(json.dumps(
        {'rows': [{'name': 'x', 'FSLA': 1.0}, {'name': 'y', 'FSLA': 2.0}]}))
    second.write_text(json.dumps(
        {'rows': [{'name': 'y', 'FSLA': 3.0}, {'name': 'z', 'FSLA': 4.0}]}))
    run = [{'name': 'x', 'FSLA': 9.0}]
    merged = tool.merge_records(
        run, [str(first), str(tmp_path / 'missing.json'), str(second)])
    assert [(r['name'], r['FSLA']) for r in merged] == [('x', 9.0),
                                                         ('y', 2.0),
                                                         ('z', 4.0)]
    assert run == [{'name': 'x', 'FSLA': 9.0}]  # not changed in place
