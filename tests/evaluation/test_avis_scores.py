# Copyright (c) seavis_mm contributors. All rights reserved.
"""evaluate_avis on cases whose scores are known by hand, both protocols."""
import math

import pytest
from .avis_eval_cases import (box, make_gt, make_results, perfect_results,
                             standard_videos)

from seavis_mm.evaluation.functional import evaluate_avis

A = box(0, 0, 20, 20)
B = box(30, 10, 50, 30)


@pytest.mark.parametrize('seg_format', ['uncompressed', 'polygon', 'rle'])
@pytest.mark.parametrize('fmt', ['null', 'avism'])
def test_perfect_prediction_strict_is_100(seg_format, fmt):
    videos = standard_videos()
    # category 3 has no GT and no prediction: strict leaves it out
    gt = make_gt(videos, [1, 2, 3], seg_format)
    res = evaluate_avis(gt, perfect_results(videos, fmt), protocol='strict')
    for key in ('FSLA', 'FAn', 'FAs', 'FAm', 'HOTA', 'DetA', 'AssA', 'LocA',
                'DetRe', 'DetPr', 'mAP', 'mAP_s', 'AR'):
        assert res[key] == pytest.approx(100), key
    # no medium / large GT track: undefined, not -100
    assert math.isnan(res['mAP_m']) and math.isnan(res['mAP_l'])


def test_perfect_prediction_aviseval_quirks():
    """The reference's numbers on a perfect prediction: silent frames wrong
    (FAn 0), empty masks counted as detections (DetPr < 100) and the unused
    category averaged in as 0 (HOTA over 3 categories, 2 used)."""
    videos = standard_videos()
    gt = make_gt(videos, [1, 2, 3])
    avism = evaluate_avis(gt, perfect_results(videos, 'avism'), 'aviseval')
    nulls = evaluate_avis(gt, perfect_results(videos, 'null'), 'aviseval')
    # a null is written as the empty mask first
    assert avism.keys() == nulls.keys()
    for key in avism:
        assert avism[key] == pytest.approx(nulls[key], nan_ok=True), key
    assert avism['FAn'] == 0
    assert avism['FAm'] == 100
    # video 1 has classes {1, 2}: its 4 single-source frames are wrong;
    # video 2's 2 are right. 2 multi + 2 single right of 11 frames.
    assert avism['FAs'] == pytest.approx(100 * 2 / 6)
    assert avism['FSLA'] == pytest.approx(100 * 4 / 11)
    assert avism['DetRe'] == pytest.approx(100 * 2 / 3)
    assert avism['DetPr'] < avism['DetRe']
    # empty masks add nothing to a track's IoU
    assert avism['mAP'] == pytest.approx(100)
    # the same on the two used categories only: DetRe 100, DetPr = TP/dets
    used = evaluate_avis(make_gt(videos, [1, 2]),
                         perfect_results(videos, 'avism'), 'aviseval')
    assert used['DetRe'] == pytest.approx(100)
    # DetPr per class = TP / every predicted RLE of the class, empty or not:
    # class 1: 6 / (7 + 4) (one track in each video), class 2: 4 / 7
    assert used['DetPr'] == pytest.approx(100 * (6 / 11 + 4 / 7) / 2)


def test_silent_object_lowers_fsla_and_map():
    """A sounding violin A in 4 frames and a silent violin B, visible in
    frames 2-3, that the prediction also segments (with a higher score).

    FSLA: frames 0, 1 right, frames 2, 3 have 2 predicted masks for 1
    source: 50. mAP (class 1): B (FP) ranks before A (TP): precision 0.5 at
    every recall: 50. Without B both are 100."""
    videos = [dict(id=1, length=4, tracks=[dict(id=1, cat=1, masks=[A] * 4)])]
    gt = make_gt(videos, [1, 2])
    right = make_results(1, [dict(cat=1, score=0.9, masks=[A] * 4)])
    silent = make_results(1, [dict(cat=1, score=0.95,
                                   masks=[None, None, B, B])])
    base = evaluate_avis(gt, right)
    assert base['FSLA'] == 100 and base['mAP'] == pytest.approx(100)
    res = evaluate_avis(gt, right + silent)
    assert res['FSLA'] == pytest.approx(50)
    assert res['mAP'] == pytest.approx(50)
    assert res['DetPr'] == pytest.approx(100 * 4 / 6)
    assert res['DetRe'] == pytest.approx(100)


@pytest.mark.parametrize('protocol', ['strict', 'aviseval'])
def test_id_switch_lowers_assa_not_deta(protocol):
    """One GT track over 6 frames predicted as two tracks (3 + 3 frames):
    every detection right (DetA 100), each match shares half its GT track
    (AssA 50), HOTA = sqrt(1 x 0.5)."""
    videos = [dict(id=1, length=6, tracks=[dict(id=1, cat=1, masks=[A] * 6)])]
    gt = make_gt(videos, [1])
    switched = make_results(1, [
        dict(cat=1, score=0.9, masks=[A] * 3 + [None] * 3),
        dict(cat=1, score=0.8, masks=[None] * 3 + [A] * 3)])
    res = evaluate_avis(gt, switched, protocol=protocol)
    if protocol == 'strict':
        assert res['DetA'] == pytest.approx(100)
        assert res['AssA'] == pytest.approx(50)
        assert res['HOTA'] == pytest.approx(100 * 0.5**0.5)
    else:  # the empty halves are false positives there, in both parts
        assert res['DetA'] == pytest.approx(100 * 6 / 12)
        # each match: 3 shared frames of 6 GT and 6 predicted: 3 / 9
        assert res['AssA'] == pytest.approx(100 / 3)


@pytest.mark.parametrize('protocol', ['strict', 'aviseval'])
def test_missing_frame_lowers_deta(protocol):
    videos = [dict(id=1, length=6, tracks=[dict(id=1, cat=1, masks=[A] * 6)])]
    gt = make_gt(videos, [1])
    full = evaluate_avis(gt, make_results(
        1, [dict(cat=1, score=1., masks=[A] * 6)]), protocol)
    holed = evaluate_avis(gt, make_results(
        1, [dict(cat=1, score=1., masks=[A, A, None, A, A, A])]), protocol)
    assert full['DetA'] == pytest.approx(100)
    # strict: 5 TP, 1 FN; aviseval: also the empty mask as 1 FP
    expected = 5 / 6 if protocol == 'strict' else 5 / 7
    assert holed['DetA'] == pytest.approx(100 * expected)
    assert holed['DetRe'] == pytest.approx(100 * 5 / 6)


def test_results_shorter_than_video_and_bad_input():
    videos = [dict(id=1, length=3, tracks=[dict(id=1, cat=1, masks=[A] * 3)])]
    gt = make_gt(videos, [1])
    short = make_results(1, [dict(cat=1, score=1., masks=[A])])
    res = evaluate_avis(gt, short)
    assert res['DetRe'] == pytest.approx(100 / 3)
    with pytest.raises(ValueError, match='video_id 7'):
        evaluate_avis(gt, make_results(7, [dict(cat=1, score=1., masks=[A])]))
    with pytest.raises(ValueError, match='category_id 5'):
        evaluate_avis(gt, make_results(1, [dict(cat=5, score=1., masks=[A])]))
    too_long = make_results(1, [dict(cat=1, score=1., masks=[A] * 4)])
    with pytest.raises(ValueError, match='at most 3'):
        evaluate_avis(gt, too_long)
    wrong_size = make_results(1, [dict(cat=1, score=1.,
                                       masks=[box(0, 0, 5, 5, 10, 10)])])
    with pytest.raises(ValueError, match=r'segmentations\[0\].*size'):
        evaluate_avis(gt, wrong_size)
    with pytest.raises(ValueError, match='protocol'):
        evaluate_avis(gt, short, protocol='loose')
    with pytest.raises(ValueError, match='metrics'):
        evaluate_avis(gt, short, metrics=['AP50'])
    bad_gt = make_gt(videos, [1])
    bad_gt['annotations'][0]['segmentations'] = [None]
    with pytest.raises(ValueError, match=r"annotations\[0\].*'segmentations'"):
        evaluate_avis(bad_gt, short)


def test_metric_subsets_and_track_area_ranges():
    """A 290x290 track is large (> 256^2), a 160x160 one medium."""
    h, w = 300, 400
    big, mid = box(0, 0, 290, 290, h, w), box(0, 0, 160, 160, h, w)
    videos = [dict(id=1, length=2, h=h, w=w, tracks=[
        dict(id=1, cat=1, masks=[big, big]),
        dict(id=2, cat=2, masks=[None, mid])])]
    gt = make_gt(videos, [1, 2])
    preds = make_results(1, [dict(cat=1, score=1., masks=[big, big]),
                             dict(cat=2, score=1., masks=[None, mid])],
                         h=h, w=w)
    res = evaluate_avis(gt, preds, metrics=['mAP'])
    assert set(res) == {'mAP', 'mAP_s', 'mAP_m', 'mAP_l', 'AR'}
    assert res['mAP_l'] == pytest.approx(100)
    assert res['mAP_m'] == pytest.approx(100)
    assert math.isnan(res['mAP_s'])
    assert set(evaluate_avis(gt, preds, metrics=['HOTA'])) >= {
        'HOTA', 'DetA', 'AssA', 'LocA'}
