# Copyright (c) seavis_mm contributors. All rights reserved.
"""FSLA on hand-made cases, one per frame type, under both protocols.

The thresholds are 0.05, 0.10, ..., 0.95 (19 values); a frame whose pair
IoU is 0.6 is correct at the 11 thresholds below 0.6, so FSLA = 11/19.
"""
import math

import numpy as np
import pytest
from .avis_eval_cases import box, make_gt, make_results

from seavis_mm.evaluation.functional import FSLA, evaluate_avis

A = box(0, 0, 20, 20)          # 400 px
A_60 = box(0, 0, 12, 20)       # inside A, IoU 240 / 400 = 0.6
A_50 = box(0, 0, 10, 20)       # IoU 0.5
B = box(30, 10, 50, 30)
C = box(5, 25, 25, 38)


def fsla(videos, results, protocol='strict', categories=(1, 2, 3)):
    gt = make_gt(videos, categories)
    return evaluate_avis(gt, results, protocol=protocol, metrics=['FSLA'])


def one_video(tracks, length):
    return [dict(id=1, length=length, tracks=tracks)]


# ---------------------------------------------------------------- no source
def test_no_source_frame_strict():
    videos = one_video([dict(id=1, cat=1, masks=[None, A])], 2)
    right = make_results(1, [dict(cat=1, score=0.9, masks=[None, A])])
    res = fsla(videos, right)
    assert res['FAn'] == 100 and res['FAs'] == 100 and res['FSLA'] == 100
    assert math.isnan(res['FAm'])
    # segmenting a (silent) object in the silent frame breaks that frame
    extra = right + make_results(1, [dict(cat=2, score=0.5, masks=[B, None])])
    res = fsla(videos, extra)
    assert res['FAn'] == 0 and res['FAs'] == 100 and res['FSLA'] == 50


def test_no_source_frame_aviseval_quirk():
    """AVISM's files give every track an RLE in every frame, so a silent
    frame is right only when the video has no predicted track at all."""
    videos = one_video([dict(id=1, cat=1, masks=[None, A])], 2)
    right = make_results(1, [dict(cat=1, score=0.9, masks=[None, A])])
    res = fsla(videos, right, 'aviseval')
    assert res['FAn'] == 0 and res['FAs'] == 100 and res['FSLA'] == 50
    # a video with no sound and no prediction is right
    silent = [dict(id=1, length=3, tracks=[])]
    res = fsla(silent, [], 'aviseval')
    assert res['FAn'] == 100 and res['FSLA'] == 100


# ------------------------------------------------------------ single source
@pytest.mark.parametrize('protocol', ['strict', 'aviseval'])
@pytest.mark.parametrize('mask,expected', [(A, 100.0), (A_60, 100 * 11 / 19),
                                           (A_50, 100 * 9 / 19)])
def test_single_source_iou_thresholds(protocol, mask, expected):
    videos = one_video([dict(id=1, cat=1, masks=[A])], 1)
    res = fsla(videos, make_results(1, [dict(cat=1, score=1., masks=[mask])]),
               protocol)
    assert res['FAs'] == pytest.approx(expected)
    assert res['FSLA'] == pytest.approx(expected)


@pytest.mark.parametrize('protocol', ['strict', 'aviseval'])
def test_single_source_wrong_class_or_count(protocol):
    videos = one_video([dict(id=1, cat=1, masks=[A])], 1)
    wrong_cls = make_results(1, [dict(cat=2, score=1., masks=[A])])
    assert fsla(videos, wrong_cls, protocol)['FSLA'] == 0
    two = make_results(1, [dict(cat=1, score=1., masks=[A]),
                           dict(cat=1, score=.5, masks=[C])])
    assert fsla(videos, two, protocol)['FSLA'] == 0


def test_single_source_aviseval_all_video_classes():
    """Under aviseval the predicted classes of a frame are those of every
    track of the video, so a single-source frame of a video whose tracks
    have two classes is never right, even for a perfect prediction."""
    videos = one_video([dict(id=1, cat=1, masks=[A, None]),
                        dict(id=2, cat=2, masks=[None, B])], 2)
    perfect = make_results(1, [dict(cat=1, score=1., masks=[A, None]),
                               dict(cat=2, score=1., masks=[None, B])])
    assert fsla(videos, perfect, 'strict')['FAs'] == 100
    assert fsla(videos, perfect, 'aviseval')['FAs'] == 0


# ---------------------------------------------------------- multiple sources
@pytest.mark.parametrize('protocol', ['strict', 'aviseval'])
def test_multi_source(protocol):
    videos = one_video([dict(id=1, cat=1, masks=[A]),
                        dict(id=2, cat=2, masks=[B])], 1)
    perfect = make_results(1, [dict(cat=1, score=1., masks=[A]),
                               dict(cat=2, score=1., masks=[B])])
    assert fsla(videos, perfect, protocol)['FAm'] == 100
    # the worst pair decides
    one_off = make_results(1, [dict(cat=1, score=1., masks=[A_60]),
                               dict(cat=2, score=1., masks=[B])])
    assert fsla(videos, one_off, protocol)['FAm'] == pytest.approx(
        100 * 11 / 19)
    # right masks, classes swapped: class sets agree, pairs do not
    swapped = make_results(1, [dict(cat=2, score=1., masks=[A]),
                               dict(cat=1, score=1., masks=[B])])
    assert fsla(videos, swapped, protocol)['FAm'] == 0
    # one source missed
    missed = make_results(1, [dict(cat=1, score=1., masks=[A])])
    assert fsla(videos, missed, protocol)['FAm'] == 0


def test_multi_source_empty_mask_any_size():
    """aviseval: a matched GT track absent from a multi-source frame needs an
    empty prediction there; AVISM recognises only the 720x1280 empty RLE,
    we recognise an empty mask of any size (here 40x60)."""
    videos = one_video([dict(id=1, cat=1, masks=[A, A]),
                        dict(id=2, cat=2, masks=[B, B]),
                        dict(id=3, cat=1, masks=[None, C])], 2)
    perfect = make_results(1, [dict(cat=1, score=1., masks=[A, A]),
                               dict(cat=2, score=1., masks=[B, B]),
                               dict(cat=1, score=1., masks=[None, C])],
                           fmt='avism')
    res = fsla(videos, perfect, 'aviseval')
    assert res['FAm'] == 100 and res['FSLA'] == 100


# ------------------------------------------------------------------ pooling
def test_pooled_over_videos_and_per_video():
    videos = [dict(id=1, length=2, tracks=[dict(id=1, cat=1, masks=[A, A])]),
              dict(id=2, length=1, tracks=[dict(id=2, cat=1, masks=[A])])]
    results = (make_results(1, [dict(cat=1, score=1., masks=[A, A])]) +
               make_results(2, [dict(cat=1, score=1., masks=[A_60])]))
    res = evaluate_avis(make_gt(videos, [1]), results, metrics=['FSLA'],
                        per_video=True)
    # frames are pooled: (2 + 11/19) / 3 correct on average
    assert res['FSLA'] == pytest.approx(100 * (2 + 11 / 19) / 3)
    assert res['per_video'][1]['FSLA'] == 100
    assert res['per_video'][2]['FSLA'] == pytest.approx(100 * 11 / 19)
    assert res['per_video'][1]['num_single_source'] == 2


def test_fsla_class_is_trackeval_shaped():
    metric = FSLA({'PROTOCOL': 'strict'})
    assert metric.get_name() == 'FSLA'
    assert len(metric.array_labels) == 19
    np.testing.assert_allclose(metric.array_labels[[0, -1]], [0.05, 0.95])
    with pytest.raises(ValueError, match='PROTOCOL'):
        FSLA({'PROTOCOL': 'lenient'})
    with pytest.raises(NotImplementedError):
        metric.combine_classes_class_averaged({})
