# Copyright (c) seavis_mm contributors. All rights reserved.
"""Identity metrics (IDF1, IDSW, ids kept across silent gaps) on a
hand-made video whose values are worked out below, a cross-check against
trackeval's Identity and CLEAR called directly, and the tool."""
import json

import numpy as np
import pytest
from trackeval.metrics import CLEAR, Identity

from seavis_mm.evaluation.functional import (IDKept, encode_mask,
                                             evaluate_identity, rle_to_json)
from seavis_mm.evaluation.functional.id_kept import clear_matches, gap_bin
from .._scripts import load_script

T, H, W = 10, 16, 16


def _mask(y0, x0):
    m = np.zeros((H, W), np.uint8)
    m[y0:y0 + 6, x0:x0 + 6] = 1
    return rle_to_json(encode_mask(m))


# Three objects that never move: A (category 1), B (2), C (3).
A, B, C = _mask(0, 0), _mask(10, 0), _mask(0, 10)


def _track(mask, frames):
    return [mask if t in frames else None for t in range(T)]


def _gt(tracks):
    return dict(
        videos=[dict(id=1, file_names=[f'v/{t}.jpg' for t in range(T)],
                     length=T, height=H, width=W)],
        annotations=[
            dict(id=i + 1, video_id=1, category_id=cat, segmentations=segs,
                 iscrowd=0) for i, (cat, segs) in enumerate(tracks)
        ],
        categories=[dict(id=c, name=str(c)) for c in (1, 2, 3)])


ALL = set(range(T))
# Sounding: A sounds in 0, 1, 3, 7-9 (gaps {2} and {4, 5, 6});
# B in 0 and 9 (gap {1..8}); C in all frames but 5 (gap {5}).
SOUNDING = _gt([(1, _track(A, {0, 1, 3, 7, 8, 9})), (2, _track(B, {0, 9})),
                (3, _track(C, ALL - {5}))])
# Visible: A and B in every frame, C hidden in frame 5, so C's gap is an
# occlusion, not a silence.
VISIBLE = _gt([(1, _track(A, ALL)), (2, _track(B, ALL)),
               (3, _track(C, ALL - {5}))])
# P1 follows A in 0, 1, 3; P2 takes A over from 7 (a switch after A's
# 3-frame silence); P3 follows B in 0 and 9 and fires on it in silent
# frame 5; P4 follows C whenever C is visible.
RESULTS = [
    dict(video_id=1, score=0.9, category_id=1,
         segmentations=_track(A, {0, 1, 3})),
    dict(video_id=1, score=0.9, category_id=1,
         segmentations=_track(A, {7, 8, 9})),
    dict(video_id=1, score=0.9, category_id=2,
         segmentations=_track(B, {0, 5, 9})),
    dict(video_id=1, score=0.9, category_id=3,
         segmentations=_track(C, ALL - {5})),
]


def test_hand_computed_values():
    out = evaluate_identity(SOUNDING, RESULTS, VISIBLE)
    # Sounding GT, per class then summed:
    #   class 1: A has 6 dets, P1 and P2 3 each; the best one-to-one id
    #     assignment gives A one of them: IDTP 3, IDFN 3, IDFP 3;
    #   class 2: B 2 dets, P3 3: IDTP 2, IDFN 0, IDFP 1 (frame 5);
    #   class 3: C 9 = P4 9: IDTP 9.
    # IDTP 14, IDFN 3, IDFP 4: IDF1 = 14 / (14 + 3.5) = 80 %.
    assert (out['IDTP'], out['IDFN'], out['IDFP']) == (14, 3, 4)
    assert out['IDF1'] == pytest.approx(80.0)
    assert out['IDR'] == pytest.approx(100 * 14 / 17)
    assert out['IDP'] == pytest.approx(100 * 14 / 18)
    # One switch: A goes from P1 (frame 3) to P2 (frame 7).
    assert out['IDSW'] == 1
    # Silent gaps: A's {2} (1 frame, kept: P1 both sides), A's {4, 5, 6}
    # (3 frames, not kept: P1 -> P2), B's {1..8} (8 frames, kept: P3);
    # C's {5} is an occlusion and does not count.
    assert out['Gaps_all'] == out['GapsFound_all'] == 3
    assert out['GapsKept_all'] == 2
    assert out['IDKept'] == pytest.approx(200 / 3)
    assert out['IDKept_1'] == 100.0
    assert out['IDKept_2-3'] == 0.0
    assert np.isnan(out['IDKept_4-7']) and out['Gaps_4-7'] == 0
    assert out['IDKept_8+'] == 100.0
    # Visible GT: A 10 dets (P1 or P2: IDTP 3, IDFN 7, IDFP 3), B 10 dets
    # (P3: IDTP 3, IDFN 7), C 9 (IDTP 9): IDTP 15, IDFN 14, IDFP 3,
    # IDF1 = 15 / (15 + 8.5); the same single switch of A.
    assert (out['visible_IDTP'], out['visible_IDFN'],
            out['visible_IDFP']) == (15, 14, 3)
    assert out['visible_IDF1'] == pytest.approx(100 * 15 / 23.5)
    assert out['visible_IDSW'] == 1


def test_without_visible_gt_every_gap_counts():
    out = evaluate_identity(SOUNDING, RESULTS)
    # C's occlusion gap {5} now counts too: 1 frame, kept (P4).
    assert out['Gaps_1'] == out['GapsKept_1'] == 2
    assert out['IDKept'] == pytest.approx(75.0)
    assert 'visible_IDF1' not in out


def test_a_tracker_that_keeps_every_id():
    res = [
        dict(video_id=1, score=0.9, category_id=1,
             segmentations=_track(A, {0, 1, 3, 7, 8, 9})),
    ] + RESULTS[2:]
    out = evaluate_identity(SOUNDING, res, VISIBLE)
    assert out['IDSW'] == 0 and out['IDKept'] == 100.0
    # IDFN 0, IDFP 1 (P3 in silent frame 5)
    assert out['IDF1'] == pytest.approx(100 * 17 / 17.5)


def test_a_gap_missed_at_one_end_is_not_counted_as_found():
    res = [r for r in RESULTS if r['category_id'] != 2]  # B never found
    out = evaluate_identity(SOUNDING, res, VISIBLE)
    assert out['Gaps_8+'] == 1 and out['GapsFound_8+'] == 0
    assert np.isnan(out['IDKept_8+'])


# -- trackeval called directly on the same case, data written by hand -----
def _data(gt_ids, tr_ids, sim):
    """trackeval's per-class sequence data from per-frame id lists and
    per-frame similarity matrices."""
    gt_ids = [np.array(g, int) for g in gt_ids]
    tr_ids = [np.array(p, int) for p in tr_ids]
    return dict(
        gt_ids=gt_ids, tracker_ids=tr_ids,
        similarity_scores=[np.array(s, float).reshape(len(g), len(p))
                           for s, g, p in zip(sim, gt_ids, tr_ids)],
        num_gt_dets=sum(len(g) for g in gt_ids),
        num_tracker_dets=sum(len(p) for p in tr_ids),
        num_gt_ids=len({int(i) for g in gt_ids for i in g}),
        num_tracker_ids=len({int(i) for p in tr_ids for i in p}),
        num_timesteps=len(gt_ids))


def _class1_sounding():
    # A is id 0; P1 id 0 in frames 0, 1, 3, P2 id 1 in 7-9
    frames = [0, 1, 3, 7, 8, 9]
    gt = [[0] if t in frames else [] for t in range(T)]
    tr = [[0] if t in (0, 1, 3) else [1] if t in (7, 8, 9) else []
          for t in range(T)]
    sim = [[[1.0]] if gt[t] and tr[t] else [] for t in range(T)]
    return _data(gt, tr, sim)


def _class2_sounding():
    gt = [[0] if t in (0, 9) else [] for t in range(T)]
    tr = [[0] if t in (0, 5, 9) else [] for t in range(T)]
    sim = [[[1.0]] if gt[t] and tr[t] else [] for t in range(T)]
    return _data(gt, tr, sim)


def _class3_sounding():
    gt = [[0] if t != 5 else [] for t in range(T)]
    sim = [[[1.0]] if t != 5 else [] for t in range(T)]
    return _data(gt, gt, sim)


def test_matches_trackeval_called_directly():
    config = dict(THRESHOLD=0.5, PRINT_CONFIG=False)
    identity, clear = Identity(config), CLEAR(config)
    datas = [_class1_sounding(), _class2_sounding(), _class3_sounding()]
    id_res = identity.combine_classes_det_averaged(
        {c: identity.eval_sequence(d) for c, d in enumerate(datas)})
    clear_res = clear.combine_classes_det_averaged(
        {c: clear.eval_sequence(d) for c, d in enumerate(datas)})
    out = evaluate_identity(SOUNDING, RESULTS)
    assert out['IDF1'] == pytest.approx(100 * id_res['IDF1'])
    for key in ('IDTP', 'IDFN', 'IDFP'):
        assert out[key] == id_res[key]
    assert out['IDSW'] == clear_res['IDSW']
    assert out['MOTA'] == pytest.approx(100 * clear_res['MOTA'])


def test_a_found_gap_not_kept_is_a_clear_id_switch():
    """On random tracks: CLEAR's IDSW >= found gaps not kept (each such gap
    switches at its end), and clear_matches reproduces CLEAR's matching."""
    rng = np.random.default_rng(0)
    config = dict(THRESHOLD=0.5, PRINT_CONFIG=False)
    for _ in range(30):
        n_gt, n_tr = 3, 4
        gt, tr, sim = [], [], []
        for _t in range(12):
            g = [i for i in range(n_gt) if rng.random() < 0.6]
            p = [i for i in range(n_tr) if rng.random() < 0.6]
            gt.append(g)
            tr.append(p)
            sim.append(rng.choice([0.0, 0.3, 0.6, 0.9],
                                  size=(len(g), len(p))))
        data = _data(gt, tr, sim)
        data['num_gt_ids'], data['num_tracker_ids'] = n_gt, n_tr
        kept = IDKept(config).eval_sequence(data)
        clear = CLEAR(config).eval_sequence(data)
        assert clear['IDSW'] >= kept['GapsFound_all'] - kept['GapsKept_all']
        n_matched = sum(len(m) for m in clear_matches(data))
        assert n_matched == clear['CLR_TP']


def test_gap_bins():
    assert [gap_bin(n) for n in (1, 2, 3, 4, 7, 8, 30)] == [
        '1', '2-3', '2-3', '4-7', '4-7', '8+', '8+'
    ]
    with pytest.raises(ValueError, match='at least one frame'):
        gap_bin(0)


def test_mismatched_ground_truths():
    other = json.loads(json.dumps(VISIBLE))
    other['videos'][0]['id'] = 2
    for a in other['annotations']:
        a['video_id'] = 2
    with pytest.raises(ValueError, match='different videos'):
        evaluate_identity(SOUNDING, RESULTS, other)


def test_identity_tool(tmp_path):
    paths = {}
    for name, obj in (('val', SOUNDING), ('val_visible', VISIBLE),
                      ('results', RESULTS)):
        paths[name] = str(tmp_path / f'{name}.json')
        with open(paths[name], 'w') as f:
            json.dump(obj, f)
    out_json = str(tmp_path / 'identity.json')
    tool = load_script('tools/analysis_tools/identity_analysis.py')
    out = tool.main([
        paths['val'], paths['results'], '--visible-gt', paths['val_visible'],
        '--out', out_json
    ])
    assert out['IDSW'] == 1 and out['IDF1'] == pytest.approx(80.0)
    with open(out_json) as f:
        saved = json.load(f)
    assert saved['IDKept_2-3'] == 0.0 and saved['visible_IDSW'] == 1
