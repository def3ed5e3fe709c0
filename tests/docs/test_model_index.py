# Copyright (c) seavis_mm contributors. All rights reserved.
"""model-index.yml and configs/seavis/metafile.yml: complete in mmdet's
metafile format, written by collect_zoo.py's writer, true to the configs."""
import glob
import json
import os.path as osp

import yaml

from .._scripts import load_script

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
METAFILE = osp.join(ROOT, 'configs', 'seavis', 'metafile.yml')
# the zoos of record (collect_zoo.RECORDS): the longer starts of session 36
# (the default config among them), the rows measured on the zoo base in
# session 35, the zoo base's, then the from-scratch one
RECORDS = [
    osp.join(ROOT, 'docs', 'results', 's36', 'zoo.json'),
    osp.join(ROOT, 'docs', 'results', 's35', 'zoo.json'),
    osp.join(ROOT, 'docs', 'results', 'default', 'zoo.json'),
    osp.join(ROOT, 'docs', 'results', 'zoo.json')
]


def _load(path):
    with open(path) as f:
        return yaml.safe_load(f)


def test_index_imports_the_metafile():
    index = _load(osp.join(ROOT, 'model-index.yml'))
    assert index['Import'] == ['configs/seavis/metafile.yml']


def test_collection_is_complete():
    (coll, ) = _load(METAFILE)['Collections']
    assert coll['Name'] == 'SeaVIS'
    assert coll['Paper']['Title'].startswith('SeaVIS')
    assert coll['Paper']['URL'].startswith('https://arxiv.org/abs/')
    assert osp.isfile(osp.join(ROOT, coll['Code']['URL']))
    assert osp.isfile(osp.join(ROOT, coll['README']))
    for key in ('Training Data', 'Training Techniques', 'Training Resources',
                'Architecture'):
        assert coll['Metadata'][key], key


def test_models_results_resources_and_weights():
    models = _load(METAFILE)['Models']
    configs = {
        osp.relpath(p, ROOT)
        for p in glob.glob(osp.join(ROOT, 'configs', 'seavis', '*.py'))
    }
    # every released config is a model of the index
    assert {m['Config'] for m in models} == configs
    toy = [m for m in models if m['Metadata']['Training Data'] == 'ToyAVIS'
           and 'Results' in m]
    assert len(toy) >= 3
    for m in models:
        meta = m['Metadata']
        assert osp.isfile(osp.join(ROOT, m['Config']))
        assert meta['Training Resources'] and meta['Training Techniques']
        assert meta['Architecture']
        # no weights are published, and the entry mim download reads says
        # so instead of giving an address
        assert not m['Weights'].startswith(('http', 'https'))
        assert 'not published' in m['Weights']
    for m in toy:
        (res, ) = m['Results']
        assert res['Dataset'] == 'ToyAVIS'
        assert set(res['Metrics']) >= {'FSLA', 'HOTA', 'mAP'}
        meta = m['Metadata']
        assert meta.get('Training Time (min)', 0) > 0 or \
            'evaluation-only' in meta['Note']
    # the paper-scale configs, and ToyAVIS rows the zoo of record has not
    # trained, are listed without results, saying why
    for m in models:
        if m not in toy:
            assert 'Results' not in m
            assert 'Training Time (min)' not in m['Metadata']
            assert 'no results' in m['Metadata']['Note']


def test_metafile_is_what_the_writer_writes(tmp_path):
    """The committed metafile is the writer's output for the committed
    zoos of record (regenerate: collect_zoo.write_metafile_from_json())."""
    tool = load_script('tools/analysis_tools/collect_zoo.py')
    assert [osp.join(ROOT, p) for p in tool.RECORDS] == RECORDS
    out = str(tmp_path / 'metafile.yml')
    tool.write_metafile_from_json(RECORDS, out)
    assert _load(out) == _load(METAFILE)


def test_the_default_recipe_has_results_and_its_alias(tmp_path):
    """The default recipe (Makefile's CONFIG) is a measured row of the
    zoo of record, found by its alias too, and every row of both zoos of
    record is in the metafile."""
    tool = load_script('tools/analysis_tools/collect_zoo.py')
    makefile = open(osp.join(ROOT, 'Makefile')).read()
    assert f'CONFIG ?= configs/seavis/{tool.DEFAULT}.py' in makefile
    models = {m['Name']: m for m in _load(METAFILE)['Models']}
    default = models[tool.DEFAULT]
    assert default['Alias'] == [tool.DEFAULT_ALIAS]
    assert 'Results' in default
    assert [n for n, m in models.items() if 'Alias' in m] == [tool.DEFAULT]
    for path in RECORDS:
        for row in json.load(open(path))['rows']:
            assert 'Results' in models[row['name']], row['name']


def test_architecture_follows_the_config(tmp_path):
    tool = load_script('tools/analysis_tools/collect_zoo.py')
    full = tool.config_metadata(
        osp.join(ROOT, 'configs', 'seavis', 'seavis_r18_toyavis.py'))
    blind = tool.config_metadata(
        osp.join(ROOT, 'configs', 'seavis',
                 'mask2former-minvis_r18_toyavis.py'))
    assert 'CCAF' in full['Architecture'] and 'AGCL' in full['Architecture']
    assert 'CCAF' not in blind['Architecture']
    assert 'AGCL' not in blind['Architecture']
    assert full['Training Techniques'][0] == 'AdamW'
