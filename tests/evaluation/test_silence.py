# Copyright (c) seavis_mm contributors. All rights reserved.
"""silence_breakdown and tools/analysis_tools/silence_analysis.py on a
hand-made video whose counts are worked out below."""
import json

import numpy as np
import pytest

from seavis_mm.evaluation.functional import (encode_mask, rle_to_json,
                                             silence_breakdown)
from .._scripts import load_script

H = W = 8


def _mask(x0, x1, y0=0, y1=H):
    m = np.zeros((H, W), np.uint8)
    m[y0:y1, x0:x1] = 1
    return rle_to_json(encode_mask(m))


A, B, BG = _mask(0, 3), _mask(5, 8), _mask(3, 5, 0, 2)


def _gt(tracks):
    return dict(
        videos=[dict(id=1, file_names=['v/0.jpg', 'v/1.jpg'], length=2,
                     height=H, width=W)],
        annotations=[
            dict(id=i + 1, video_id=1, category_id=1, segmentations=segs,
                 iscrowd=0) for i, segs in enumerate(tracks)
        ],
        categories=[dict(id=1, name='thing')])


# A sounds in frame 0 only; A and B are visible in both frames.
SOUNDING = _gt([[A, None]])
VISIBLE = _gt([[A, A], [B, B]])
# a track on A all along, one on B in frame 1, a blob on nothing in frame 0
RESULTS = [
    dict(video_id=1, score=0.9, category_id=1, segmentations=[A, A]),
    dict(video_id=1, score=0.8, category_id=1, segmentations=[None, B]),
    dict(video_id=1, score=0.7, category_id=1, segmentations=[BG, None]),
]


def test_breakdown_counts():
    out = silence_breakdown(SOUNDING, VISIBLE, RESULTS)
    # frame 0: sounding {A}, silent {B}, preds A (sounding), BG (nothing)
    # frame 1: sounding {}, silent {A, B}, preds A, B (both silent)
    assert out['frames'] == 2
    assert out['sounding_objects'] == 1
    assert out['silent_objects'] == 3
    assert out['sounding_found'] == pytest.approx(100.0)
    assert out['silent_found'] == pytest.approx(200 / 3)
    assert out['preds_per_frame'] == pytest.approx(2.0)
    assert out['on_sounding'] == pytest.approx(25.0)
    assert out['on_silent'] == pytest.approx(50.0)
    assert out['on_nothing'] == pytest.approx(25.0)


def test_a_model_that_follows_sound():
    # only the sounding object, only while it sounds: no silent object hit
    res = [dict(video_id=1, score=0.9, category_id=1, segmentations=[A])]
    out = silence_breakdown(SOUNDING, VISIBLE, res)
    assert out['silent_found'] == 0.0
    assert out['on_sounding'] == 100.0


def test_mismatched_ground_truths():
    other = _gt([[A, A]])
    other['videos'][0]['id'] = 2
    other['annotations'][0]['video_id'] = 2
    with pytest.raises(ValueError, match='different videos'):
        silence_breakdown(SOUNDING, other, RESULTS)


def test_mismatched_lengths_name_the_files(tmp_path):
    short = json.loads(json.dumps(VISIBLE))
    short['videos'][0].update(length=1, file_names=['v/0.jpg'])
    for ann in short['annotations']:
        ann['segmentations'] = ann['segmentations'][:1]
    paths = []
    for name, obj in (('gt', SOUNDING), ('vis', short)):
        paths.append(str(tmp_path / f'{name}.json'))
        with open(paths[-1], 'w') as f:
            json.dump(obj, f)
    with pytest.raises(ValueError, match=r'"length" 2 in .*gt\.json.* and 1 '
                       r'in .*vis\.json'):
        silence_breakdown(paths[0], paths[1], RESULTS)


def test_tool_table_and_json(tmp_path, capsys):
    paths = {}
    for name, obj in (('gt', SOUNDING), ('vis', VISIBLE), ('res', RESULTS)):
        paths[name] = str(tmp_path / f'{name}.json')
        with open(paths[name], 'w') as f:
            json.dump(obj, f)
    tool = load_script('tools/analysis_tools/silence_analysis.py')
    out = str(tmp_path / 'silence.json')
    rows = tool.main([
        paths['gt'], paths['vis'], f'mymodel={paths["res"]}', '--out', out
    ])
    printed = capsys.readouterr().out
    assert 'mymodel' in printed and '66.7' in printed
    saved = json.load(open(out))
    assert saved['rows']['mymodel']['silent_found'] == pytest.approx(200 / 3)
    assert rows['mymodel']['on_silent'] == pytest.approx(50.0)


def test_ground_truth_read_once():
    # load_gt returns ground truth it already read, so a caller scoring
    # several result files reads the JSONs once
    from seavis_mm.evaluation.functional import load_gt
    gt, vis = load_gt(SOUNDING), load_gt(VISIBLE)
    assert load_gt(gt) is gt
    assert silence_breakdown(gt, vis, RESULTS) == silence_breakdown(
        SOUNDING, VISIBLE, RESULTS)
