# Copyright (c) seavis_mm contributors. All rights reserved.
"""recall_funnel on the hand-made video of test_silence.py, with queries
whose fate is worked out below, and recall_analysis.py end to end."""
import os.path as osp

import numpy as np
import pytest

from seavis_mm.evaluation.functional import (format_funnel, recall_funnel,
                                             silence_breakdown)
from seavis_mm.evaluation.functional.masks import seg_to_rle
from .test_silence import (BG, RESULTS, SOUNDING, VISIBLE, A, B, H, W,
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
    assert [out[f'sounding_{s}'] for s in ('localised', 'candidate',
                                           'audible', 'output')] == \
        [100.0, 100.0, 0.0, 100.0]
    # silent: B (frame 0), A and B (frame 1): all localised; candidates B0
    # and A1; audible A1 only; the results output A and B in frame 1
    assert out['silent_objects'] == 3
    assert out['silent_localised'] == pytest.approx(100.0)
    assert out['silent_candidate'] == pytest.approx(200 / 3)
    assert out['silent_audible'] == pytest.approx(100 / 3)
    # the output column is silence_breakdown's "found"
    found = silence_breakdown(SOUNDING, VISIBLE, RESULTS)
    assert out['sounding_output'] == found['sounding_found']
    assert out['silent_output'] == found['silent_found']
    # A covers 3 x 8 = 24 pixels: the smallest area bin, localised
    assert out['by_area']['0-200'] == dict(objects=1, localised=100.0)
    assert out['by_area']['400+']['objects'] == 0
    # category 1 (the only one), and a query exactly on A: best IoU 1
    assert out['by_category'] == {'1': dict(objects=1, localised=100.0)}
    assert out['sounding_best_iou'] == pytest.approx(1.0)
    table = format_funnel([('model', out)])
    assert 'by area' in table
    assert 'by category' in table and 'best IoU' in table
    assert 'sounding objects' in table and 'silent objects' in table
    assert 'audible' in table
    # without the visible ground truth: the sounding columns only
    assert 'silent_objects' not in recall_funnel(
        SOUNDING, QUERIES, RESULTS, 0.5, 0.5)


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
    assert out['by_category']['1'] == dict(objects=1, localised=100.0)
    # above the partial mask's IoU it is not localised, in any breakdown
    out = recall_funnel(SOUNDING, queries, RESULTS, 0.5, 0.5, iou_thr=0.7)
    assert out['sounding_localised'] == 0.0
    assert out['by_category']['1'] == dict(objects=1, localised=0.0)
    assert out['by_area']['0-200']['localised'] == 0.0
    # a frame with no query at all counts as best IoU 0
    empty = {1: [dict(masks=[], scores=np.zeros(0), sounding=np.zeros(0))] *
             2}
    assert recall_funnel(SOUNDING, empty, RESULTS, 0.5,
                         0.5)['sounding_best_iou'] == 0.0


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
    from ..apis.small_seavis import OPEN_TRACKER
    root = str(tmp_path / 'toy')
    make_toyavis(root, train_videos=0, val_videos=1, seed=4,
                 num_frames_range=(4, 4), write_visible=True)
    config = osp.join(osp.dirname(__file__), '..', 'data_configs',
                      'seavis_tiny_toyavis.py')
    cfg = Config.fromfile(config)
    cfg.model.tracker.update(OPEN_TRACKER)
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
