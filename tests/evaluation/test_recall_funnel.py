# Copyright (c) seavis_mm contributors. All rights reserved.
"""recall_funnel on the hand-made video of test_silence.py, with queries
whose fate is worked out below, and recall_analysis.py end to end."""
import os.path as osp

import numpy as np
import pytest

from seavis_mm.evaluation.functional import (format_funnel, recall_funnel,
                                             silence_breakdown)
from seavis_mm.evaluation.functional.recall_funnel import (FAILURES,
                                                          SUPPRESSED)
from seavis_mm.evaluation.functional.masks import seg_to_rle
from .test_silence import (BG, RESULTS, SOUNDING, VISIBLE, A, B, H, W, _gt,
                           _mask)


def _rle(seg):
    return seg_to_rle(seg, H, W, 'test')


# frame 0: A sounds, B is silent. Queries: one on A scoring 0.9 but gated
# silent (0.2), one on A scoring 0.4 (under score_thr 0.5) but audible, one
# on B scoring 0.8 and gated silent, one on the background.
# frame 1: A and B silent. Queries: on A (0.9, audible 0.7: a silent object
# the gate lets through), on B (0.3).
QUERIES = {
    1: [
        dict(masks=[_rle(A), _rle(A), _rle(B), _rle(BG)],
             scores=np.array([0.9, 0.4, 0.8, 0.9]),
             sounding=np.array([0.2, 0.9, 0.1, 0.9])),
        dict(masks=[_rle(A), _rle(B)], scores=np.array([0.9, 0.3]),
             sounding=np.array([0.7, 0.9])),
    ]
}


def test_funnel_counts():
    out = recall_funnel(SOUNDING, QUERIES, RESULTS, score_thr=0.5,
                        sound_thr=0.5, visible_gt=VISIBLE)
    # sounding: A in frame 0 is localised (two queries), a candidate (the
    # 0.9 one), not audible (that one is gated 0.2; the audible one is not a
    # candidate); the results do output A in frame 0
    assert out['sounding_objects'] == 1
    # (queries recorded without ``kept``: the NMS keeps every one)
    assert [out[f'sounding_{s}'] for s in ('localised', 'candidate',
                                           'audible', 'deduplicated',
                                           'output')] == \
        [100.0, 100.0, 0.0, 0.0, 100.0]
    # silent: B (frame 0), A and B (frame 1): all localised; candidates B0
    # and A1; audible A1 only; the results output A and B in frame 1
    assert out['silent_objects'] == 3
    assert out['silent_localised'] == pytest.approx(100.0)
    assert out['silent_candidate'] == pytest.approx(200 / 3)
    assert out['silent_audible'] == pytest.approx(100 / 3)
    assert out['silent_deduplicated'] == out['silent_audible']
    assert out['suppressed']['objects'] == 0
    # the output column is silence_breakdown's "found"
    found = silence_breakdown(SOUNDING, VISIBLE, RESULTS)
    assert out['sounding_output'] == found['sounding_found']
    assert out['silent_output'] == found['silent_found']
    # A covers 3 x 8 = 24 pixels: the smallest area bin, localised
    assert out['by_area']['0-200'] == dict(objects=1, localised=100.0)
    assert out['by_area']['400+']['objects'] == 0
    # category 1 (the only one), and a query exactly on A: best IoU 1
    # (every stage, as by_sources: the one sounding object is category 1)
    assert out['by_category'] == {'1': out['by_sources']['single']}
    # A sounds alone in its frame: the single-source split is the total
    assert out['by_sources']['single'] == dict(
        objects=1, localised=100.0, candidate=100.0, audible=0.0,
        deduplicated=0.0, output=100.0)
    assert out['by_sources']['multiple_one_kind']['objects'] == 0
    assert out['sounding_best_iou'] == pytest.approx(1.0)
    # the gate on the candidates: A's only candidate scores 0.2; the
    # silent B (frame 0) 0.1 and A (frame 1) 0.7; B in frame 1 has none.
    # 0.2 beats 0.1 and loses to 0.7: AUC 0.5
    assert out['gate']['sounding'] == dict(objects=1, passed=0.0,
                                           median=pytest.approx(0.2))
    assert out['gate']['silent'] == dict(objects=2, passed=50.0,
                                         median=pytest.approx(0.4))
    assert out['gate']['auc'] == pytest.approx(0.5)
    table = format_funnel([('model', out)])
    assert 'gate on the candidates' in table
    assert 'by area' in table
    assert 'by category' in table and 'best IoU' in table
    assert 'sounding objects' in table and 'silent objects' in table
    assert 'audible' in table
    # without the visible ground truth: the sounding columns only
    alone = recall_funnel(SOUNDING, QUERIES, RESULTS, 0.5, 0.5)
    assert 'silent_objects' not in alone
    assert set(alone['gate']) == {'sounding'}  # no silent: no AUC


def test_gate_auc_separates_ranking_from_threshold():
    from seavis_mm.evaluation.functional.recall_funnel import _auc
    # sounding scores all above the silent ones, all under a 0.5 threshold:
    # ranked perfectly, calibrated badly
    assert _auc([0.3, 0.4], [0.1, 0.2]) == 1.0
    assert _auc([0.1, 0.2], [0.3, 0.4]) == 0.0
    assert _auc([0.2], [0.2]) == 0.5
    assert np.isnan(_auc([], [0.1]))


def test_funnel_best_iou_and_category_of_a_partial_mask():
    # frame 0: the best query covers 2 of A's 3 columns (IoU 16 / 24), the
    # other the background; frame 1 (nothing sounds) has no queries
    part = _mask(0, 2)
    queries = {
        1: [
            dict(masks=[_rle(part), _rle(BG)], scores=np.array([0.9, 0.9]),
                 sounding=np.array([0.9, 0.9])),
            dict(masks=[], scores=np.zeros(0), sounding=np.zeros(0)),
        ]
    }
    out = recall_funnel(SOUNDING, queries, RESULTS, 0.5, 0.5, iou_thr=0.5)
    assert out['sounding_best_iou'] == pytest.approx(2 / 3)
    assert out['by_category']['1']['localised'] == 100.0
    # above the partial mask's IoU it is not localised, in any breakdown
    out = recall_funnel(SOUNDING, queries, RESULTS, 0.5, 0.5, iou_thr=0.7)
    assert out['sounding_localised'] == 0.0
    assert out['by_category']['1']['localised'] == 0.0
    assert out['by_category']['1']['objects'] == 1
    assert out['by_area']['0-200']['localised'] == 0.0
    # a frame with no query at all counts as best IoU 0
    empty = {1: [dict(masks=[], scores=np.zeros(0), sounding=np.zeros(0))] *
             2}
    assert recall_funnel(SOUNDING, empty, RESULTS, 0.5,
                         0.5)['sounding_best_iou'] == 0.0


def _frame0(*masks):
    """Queries for SOUNDING's two frames: ``masks`` in frame 0 (A sounds),
    none in frame 1."""
    return {
        1: [
            dict(masks=[_rle(m) for m in masks],
                 scores=np.full(len(masks), 0.9),
                 sounding=np.full(len(masks), 0.9)),
            dict(masks=[], scores=np.zeros(0), sounding=np.zeros(0)),
        ]
    }


@pytest.mark.parametrize(
    'masks, with_visible, why',
    [
        # the whole frame: IoU with A 24 / 64, and all of the silent B
        ([_mask(0, W)], True, 'merged_silent'),
        # ... which, without the visible ground truth, is a spill (24 of
        # its 64 pixels on A)
        ([_mask(0, W)], False, 'over'),
        # one column of A: all on A, a third of it
        ([_mask(0, 1)], True, 'under'),
        # columns 2-4: 8 of 24 pixels on A, none on B
        ([_mask(2, 5)], True, 'over'),
        # only the background blob, or no query at all
        ([BG], True, 'no_query'),
        ([], True, 'no_query'),
    ])
def test_why_unlocalised(masks, with_visible, why):
    out = recall_funnel(SOUNDING, _frame0(*masks), RESULTS, 0.5, 0.5,
                        visible_gt=VISIBLE if with_visible else None)
    assert out['sounding_localised'] == 0.0
    u = out['unlocalised']
    assert u['objects'] == 1
    assert u[why] == 100.0
    assert sum(u[k] for k in FAILURES if k in u) == pytest.approx(100.0)
    # merged_silent needs the visible ground truth
    assert ('merged_silent' in u) == with_visible
    assert 'why not localised' in format_funnel([('m', out)])


def test_two_sounding_objects_drawn_as_one():
    # A and B both sound in frame 0 and one query covers the whole frame:
    # each is missed (IoU 24 / 64) because it is merged with the other
    both = _gt([[A, None], [B, None]])
    out = recall_funnel(both, _frame0(_mask(0, W)), RESULTS, 0.5, 0.5)
    assert out['unlocalised']['objects'] == 2
    assert out['unlocalised']['merged_sounding'] == 100.0
    # both are category 1: look-alikes
    assert out['unlocalised']['merged_same_category'] == 100.0
    # both sound in one frame: the split of several of one category
    assert out['by_sources']['multiple_one_kind']['objects'] == 2
    assert out['by_sources']['multiple_one_kind']['localised'] == 0.0
    assert out['by_sources']['single']['objects'] == 0
    assert out['by_sources']['multiple_kinds']['objects'] == 0
    other_cat = _gt([[A, None], [B, None]])
    other_cat['categories'].append(dict(id=2, name='other'))
    other_cat['annotations'][1]['category_id'] = 2
    out = recall_funnel(other_cat, _frame0(_mask(0, W)), RESULTS, 0.5, 0.5)
    assert out['unlocalised']['merged_sounding'] == 100.0
    assert out['unlocalised']['merged_same_category'] == 0.0
    # two categories sound together: their sounds are mixed
    assert out['by_sources']['multiple_kinds']['objects'] == 2
    assert out['by_sources']['multiple_one_kind']['objects'] == 0
    # a query on A only (scoring 0.9, audible 0.9), and RESULTS output A
    # in frame 0: category 1 (A) passes every stage, category 2 (B) none;
    # each category counts its own object
    out = recall_funnel(other_cat, _frame0(A), RESULTS, 0.5, 0.5)
    assert out['by_category']['1']['objects'] == 1
    assert out['by_category']['2']['objects'] == 1
    assert [out['by_category']['1'][s] for s in ('localised', 'candidate',
                                                 'audible', 'deduplicated',
                                                 'output')] == [100.0] * 5
    assert [out['by_category']['2'][s] for s in ('localised', 'candidate',
                                                 'audible', 'deduplicated',
                                                 'output')] == [0.0] * 5
    table = format_funnel([('m', out)])
    assert 'cat 1' in table and 'cat 2' in table
    # a localised object is in no failure class
    out = recall_funnel(both, _frame0(A, _mask(0, W)), RESULTS, 0.5, 0.5)
    assert out['sounding_localised'] == 50.0
    assert out['by_sources']['multiple_one_kind']['localised'] == 50.0
    assert 'by sources in the frame' in format_funnel([('m', out)])
    assert out['unlocalised']['objects'] == 1
    # B's closest query is the whole frame, which covers all of A
    assert out['unlocalised']['merged_sounding'] == 100.0


def test_funnel_refuses_a_recording_of_other_videos():
    with pytest.raises(ValueError, match='video 1 has 2 frames'):
        recall_funnel(SOUNDING, {1: QUERIES[1][:1]}, RESULTS, 0.5, 0.5)


@pytest.mark.slow
def test_recall_analysis_tool(tmp_path):
    """On a random tiny model: the tool's output column equals
    silence_breakdown of the same model's evaluation results."""
    import torch
    from mmengine.config import Config
    from mmengine.runner.checkpoint import save_checkpoint

    from seavis_mm.datasets.toyavis import make_toyavis
    from seavis_mm.registry import MODELS
    from seavis_mm.utils import register_all_modules
    from .._scripts import load_script
    from ..apis.small_seavis import open_tracker
    root = str(tmp_path / 'toy')
    make_toyavis(root, train_videos=0, val_videos=1, seed=4,
                 num_frames_range=(4, 4), write_visible=True)
    config = osp.join(osp.dirname(__file__), '..', 'data_configs',
                      'seavis_tiny_toyavis.py')
    cfg = Config.fromfile(config)
    open_tracker(cfg)
    cfg.test_dataloader.dataset.data_root = root + '/'
    cfg_file = str(tmp_path / 'cfg.py')
    cfg.dump(cfg_file)
    register_all_modules()
    torch.manual_seed(0)
    ckpt = str(tmp_path / 'm.pth')
    save_checkpoint(MODELS.build(cfg.model).state_dict(), ckpt)
    res = load_script('tools/analysis_tools/recall_analysis.py').main(
        [cfg_file, ckpt, '--out', str(tmp_path / 'f.json')])
    assert res['visible_gt'].endswith('val_visible.json')
    assert res['sounding_objects'] > 0 and res['silent_objects'] > 0
    for kind in ('sounding', 'silent'):
        stages = [res[f'{kind}_{s}']
                  for s in ('localised', 'candidate', 'audible')]
        assert stages == sorted(stages, reverse=True)  # a funnel
    # opened tracker: every query is a candidate and audible
    assert res['sounding_candidate'] == res['sounding_localised']
    assert res['sounding_audible'] == res['sounding_localised']


def _nms_frame0(masks, kept):
    """Frame-0 queries (A sounds) with the mask NMS's verdict ``kept``."""
    q = _frame0(*masks)
    q[1][0]['kept'] = np.asarray(kept, bool)
    q[1][1]['kept'] = np.zeros(0, bool)
    return q


@pytest.mark.parametrize(
    'masks, kept, why',
    [
        # A's own query is dropped for the whole frame's, which also covers
        # all of the silent B: a merge outranks it
        ([A, _mask(0, W)], [False, True], 'merged'),
        # ... for a worse mask of A alone (one of its three columns: IoU
        # 1 / 3, under iou_thr, and a third of A covered)
        ([A, _mask(0, 1)], [False, True], 'duplicate'),
        # ... for B's mask, which does not cover A
        ([A, B], [False, True], 'neighbour'),
        # ... and nothing is kept at all
        ([A], [False], 'neighbour'),
    ])
def test_why_dropped_by_the_nms(masks, kept, why):
    out = recall_funnel(SOUNDING, _nms_frame0(masks, kept), RESULTS, 0.5,
                        0.5, visible_gt=VISIBLE)
    # A is localised, a candidate and audible; the NMS drops its query
    assert [out[f'sounding_{s}'] for s in ('localised', 'candidate',
                                           'audible', 'deduplicated')] == \
        [100.0, 100.0, 100.0, 0.0]
    assert out['suppressed']['objects'] == 1
    assert out['suppressed'][why] == 100.0
    assert sum(out['suppressed'][k] for k in SUPPRESSED) == 100.0
    assert 'why dropped by the NMS' in format_funnel([('m', out)])


def test_nms_keeping_the_objects_own_query_drops_nothing():
    out = recall_funnel(SOUNDING, _nms_frame0([A, _mask(0, 2)],
                                              [True, False]), RESULTS, 0.5,
                        0.5, visible_gt=VISIBLE)
    assert out['sounding_deduplicated'] == 100.0
    assert out['suppressed']['objects'] == 0


def test_recorded_queries_carry_the_trackers_nms():
    """``kept`` is what the tracker's score threshold and mask NMS keep:
    of two queries on A the lower-scored one goes, the one on B under the
    score threshold is not a candidate."""
    import torch

    from seavis_mm.evaluation.tracker_recording import recorded_queries
    from seavis_mm.models.trackers import SoundAwareTracker
    a = torch.zeros(2, H, W, dtype=torch.bool)
    a[:, :, 0:3] = True
    a[1, :, 0] = False  # two columns of A: IoU 2 / 3 with the first
    b = torch.zeros(1, H, W, dtype=torch.bool)
    b[:, :, 5:] = True
    frame = dict(frame_id=0, embeds=torch.randn(3, 4),
                 scores=torch.tensor([0.9, 0.8, 0.2]),
                 labels=torch.zeros(3, dtype=torch.long),
                 masks=torch.cat([a, b]), sound_probs=torch.ones(3))
    videos = [dict(video_id=1, height=H, width=W, frames=[frame])]

    def kept(tracker):
        return recorded_queries(videos, tracker)[0][1][0]['kept']

    nms = SoundAwareTracker(score_thr=0.5, mask_nms_thr=0.5)
    assert kept(nms).tolist() == [True, False, False]
    no_nms = SoundAwareTracker(score_thr=0.5)
    assert kept(no_nms).tolist() == [True, True, False]
