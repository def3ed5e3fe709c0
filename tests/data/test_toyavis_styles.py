# Copyright (c) seavis_mm contributors. All rights reserved.
"""ToyAVIS styles: v1 reproduces the first generator bit for bit; v2 varies
the look (its ground-truth rules: test_toyavis.py); the CLI's flags."""
import functools
import json
import os.path as osp
import types

import cv2
import numpy as np
import pytest

from seavis_mm.datasets import toyavis
from seavis_mm.datasets.toyavis import (TOYAVIS_CLASSES, _video_rng,
                                        generate_video, make_toyavis)
from seavis_mm.datasets.toyavis_v2 import (BACKGROUNDS, CATEGORY_HUES,
                                           DISTRACTOR_SHAPES, VARIETIES,
                                           distractor_colour,
                                           distractor_mask, hue_distance)
from . import toyavis_digest
from .avis_data_helpers import load_tool

GOLDEN = osp.join(osp.dirname(__file__), 'toyavis_v1_golden.json')


def test_v1_is_the_first_generator_bit_for_bit():
    """Digests of today's ``style='v1'`` output equal those computed from
    the generator as it was before v2 (see toyavis_digest.py)."""
    with open(GOLDEN) as f:
        golden = json.load(f)
    v1 = types.SimpleNamespace(
        generate_video=functools.partial(generate_video, style='v1'),
        write_split=functools.partial(toyavis.write_split, style='v1'),
        _video_rng=_video_rng)
    assert toyavis_digest.digests(v1) == golden['digests']


def test_v2_is_the_default_and_differs_from_v1():
    a = generate_video(_video_rng(0, 'val', 0))
    b = generate_video(_video_rng(0, 'val', 0), style='v1')
    assert 'look' in a and 'look' not in b
    assert not np.array_equal(a['frames'][0], b['frames'][0])


def _hsv(pixels_bgr):
    px = np.asarray(pixels_bgr, np.float32).reshape(-1, 1, 3) / 255
    return cv2.cvtColor(px, cv2.COLOR_BGR2HSV)[:, 0]


def test_distractors_are_no_category():
    rng = np.random.default_rng(0)
    for _ in range(200):
        h, s, _ = _hsv(distractor_colour(rng))[0]
        # a grey, or a hue far from every category's
        assert s < 0.25 or hue_distance(h, CATEGORY_HUES).min() >= 20
    for kind in DISTRACTOR_SHAPES:
        m = distractor_mask(kind, 64, 64, 20, 0.3, 0.5)
        assert m.dtype == np.uint8 and 100 < m.sum() < 128 * 128 / 4
    with pytest.raises(ValueError, match='distractor shape'):
        distractor_mask('blob', 64, 64, 20, 0, 0)


def _look_stats(style, variety='normal', n=24):
    """Per video: background family, mean background colour, object radius
    proxy (sqrt of the largest visible area), frame-to-frame brightness
    change."""
    families, bg_means, sizes, light = [], [], [], []
    for i in range(n):
        kw = {} if style == 'v1' else dict(variety=variety)
        v = generate_video(_video_rng(5, 'val', i), (8, 8), style=style,
                           **kw)
        frames = np.stack(v['frames']).astype(np.float32)
        objs = np.stack([o['visible'] for o in v['objects']]).any(0)
        bg = frames[~objs]
        bg_means.append(bg.reshape(-1, 3).mean(0))
        sizes += [np.sqrt(o['visible'].sum((1, 2)).max())
                  for o in v['objects']]
        means = frames.mean((1, 2, 3))
        light.append(np.abs(np.diff(means)).mean())
        families.append(v.get('look', {}).get('background'))
    return families, np.array(bg_means), np.array(sizes), np.array(light)


def test_v2_varies_more_than_v1():
    _, bg1, size1, light1 = _look_stats('v1')
    fam2, bg2, size2, light2 = _look_stats('v2')
    _, bgh, sizeh, lighth = _look_stats('v2', 'high')
    assert len(set(fam2)) >= 4 and set(fam2) <= set(BACKGROUNDS)
    # backgrounds, object sizes and lighting spread wider than v1's
    assert bg2.std(0).mean() > 1.5 * bg1.std(0).mean()
    assert size2.std() > 1.5 * size1.std()
    assert np.median(light2) > 1.5 * np.median(light1)
    # 'high' widens the ranges further
    assert VARIETIES['high'].radius[1] > VARIETIES['normal'].radius[1]
    assert np.median(lighth) > np.median(light2)


def test_styles_and_errors(tmp_path):
    with pytest.raises(ValueError, match='style must be one of'):
        generate_video(np.random.default_rng(0), style='v3')
    with pytest.raises(ValueError, match='variety .* needs style v2'):
        make_toyavis(str(tmp_path), 1, 0, style='v1', variety='high')
    with pytest.raises(ValueError, match='variety must be one of'):
        generate_video(np.random.default_rng(0), variety='extreme')


def test_cli_v2_high_with_visible_and_progress(tmp_path, capsys):
    """The second val set of the zoo: v2, seed 1000, variety high; the
    visible ground truth holds every sounding annotation and the silent
    objects."""
    tool = load_tool('tools/dataset_converters/make_toyavis.py')
    out = str(tmp_path / 'val2')
    stats = tool.main([
        out, '--train-videos', '0', '--val-videos', '3', '--seed', '1000',
        '--variety', 'high', '--write-visible', '--max-frames', '9'
    ])
    printed = capsys.readouterr().out
    assert '3/3' in printed  # mmengine's progress bar
    assert set(stats) == {'val'} and stats['val']['frames'] > 0
    with open(osp.join(out, 'val.json')) as f:
        sounding = json.load(f)
    with open(osp.join(out, 'val_visible.json')) as f:
        visible = json.load(f)
    assert sounding['info']['style'] == 'v2'
    assert sounding['info']['variety'] == 'high'
    assert [c['name'] for c in visible['categories']] == list(TOYAVIS_CLASSES)
    # every sounding mask is a visible mask of the same video and category
    vis = {(a['video_id'], a['category_id'], t, str(s))
           for a in visible['annotations']
           for t, s in enumerate(a['segmentations']) if s is not None}
    n_s = 0
    for a in sounding['annotations']:
        for t, s in enumerate(a['segmentations']):
            if s is not None:
                n_s += 1
                assert (a['video_id'], a['category_id'], t, str(s)) in vis
    assert len(vis) > n_s > 0
    with pytest.raises(SystemExit, match='--variety needs --style v2'):
        tool.main([out, '--style', 'v1', '--variety', 'high'])
