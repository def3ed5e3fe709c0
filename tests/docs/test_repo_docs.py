# Copyright (c) seavis_mm contributors. All rights reserved.
"""The documentation stays inside the repository: every relative link and
every repository path a doc names exists; the license and the citation are
there and agree with setup.py."""
import os
import os.path as osp
import re
import subprocess

import yaml

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
LINK = re.compile(r'\[[^\]]*\]\(([^)\s]+)\)')
# generated fragments, pasted into another page: their links are relative
# to that page
PASTED_INTO = {'docs/results/zoo_table.md': 'configs/seavis/README.md'}
# files outside the repository that docs once named
FOREIGN = ('DESIGN.md', '/work/shared', '/work/main', '/work/notes')


def tracked(*patterns):
    out = subprocess.run(['git', 'ls-files', *patterns], cwd=ROOT,
                         stdout=subprocess.PIPE, text=True, check=True)
    return [p for p in out.stdout.split() if osp.isfile(osp.join(ROOT, p))]


def test_relative_links_resolve_inside_the_repo():
    docs = tracked('*.md')
    assert 'docs/en/metrics.md' in docs and 'README.md' in docs
    broken = []
    for doc in docs:
        text = open(osp.join(ROOT, doc), encoding='utf-8').read()
        for target in LINK.findall(text):
            if re.match(r'[a-z]+:', target) or target.startswith('#'):
                continue  # web addresses and anchors in the same page
            page = PASTED_INTO.get(doc, doc)
            path = osp.normpath(
                osp.join(ROOT, osp.dirname(page), target.split('#')[0]))
            inside = path.startswith(ROOT + os.sep)
            if not inside or not osp.exists(path):
                broken.append(f'{doc}: {target}')
    assert broken == []


def test_no_file_names_a_document_outside_the_repo():
    found = []
    for path in tracked('*.md', '*.py', '*.sh', '*.yml', 'Makefile'):
        if path == osp.relpath(__file__, ROOT):
            continue
        text = open(osp.join(ROOT, path), encoding='utf-8').read()
        found += [f'{path}: {name}' for name in FOREIGN if name in text]
    assert found == []


def test_moved_docs_live_under_docs_en():
    for name in ('metrics.md', 'benchmarks.md', 'reliability.md'):
        assert osp.isfile(osp.join(ROOT, 'docs', 'en', name))
        assert not osp.exists(osp.join(ROOT, 'docs', name))


def test_license_matches_setup_py():
    text = open(osp.join(ROOT, 'LICENSE')).read()
    assert 'Apache License' in text and 'Version 2.0, January 2004' in text
    assert 'END OF TERMS AND CONDITIONS' in text
    setup = open(osp.join(ROOT, 'setup.py')).read()
    assert "license='Apache License 2.0'" in setup


def test_citation_names_seavis_and_avism():
    cff = yaml.safe_load(open(osp.join(ROOT, 'CITATION.cff')))
    assert cff['license'] == 'Apache-2.0'
    assert cff['preferred-citation']['title'].startswith('SeaVIS')
    assert 'arxiv.org/abs/' in cff['preferred-citation']['url']
    (avis, ) = cff['references']
    assert avis['title'] == 'Audio-Visual Instance Segmentation'
    readme = open(osp.join(ROOT, 'README.md')).read()
    bib = readme.split('```bibtex', 1)[1].split('```', 1)[0]
    assert bib.count('@') == 2
    assert cff['preferred-citation']['title'] in bib
    assert avis['title'] in bib
