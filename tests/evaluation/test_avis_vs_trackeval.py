# Copyright (c) seavis_mm contributors. All rights reserved.
"""Our HOTA and mAP against trackeval run directly on the same files.

trackeval's own YouTube-VIS dataset class (the code AVISM's evaluator was
forked from) reads the GT and results JSON from disk and its Evaluator
combines sequences and classes; our numbers must be equal to its.
"""
import contextlib
import io
import json
import os.path as osp

import numpy as np
import pytest
import trackeval
from .avis_eval_cases import make_gt, random_case

from seavis_mm.evaluation.functional import evaluate_avis
from seavis_mm.evaluation.functional.evaluate import track_map_config

SPLIT = 'test'


def run_trackeval(tmp_path, gt: dict, results: list) -> dict:
    """HOTA and TrackMAP, class-averaged, by trackeval's Evaluator."""
    gt_dir = tmp_path / 'gt' / f'youtube_vis_{SPLIT}'
    trk_dir = tmp_path / 'trackers' / f'youtube_vis_{SPLIT}' / 'ours' / 'data'
    gt_dir.mkdir(parents=True)
    trk_dir.mkdir(parents=True)
    (gt_dir / 'gt.json').write_text(json.dumps(gt))
    (trk_dir / 'results.json').write_text(json.dumps(results))
    eval_config = trackeval.Evaluator.get_default_eval_config()
    eval_config.update(PRINT_RESULTS=False, PRINT_CONFIG=False,
                       TIME_PROGRESS=False, OUTPUT_SUMMARY=False,
                       OUTPUT_DETAILED=False, PLOT_CURVES=False,
                       LOG_ON_ERROR=None)
    dataset_config = trackeval.datasets.YouTubeVIS.get_default_dataset_config()
    dataset_config.update(GT_FOLDER=str(tmp_path / 'gt') + osp.sep,
                          TRACKERS_FOLDER=str(tmp_path / 'trackers') + osp.sep,
                          SPLIT_TO_EVAL=SPLIT, PRINT_CONFIG=False)
    with contextlib.redirect_stdout(io.StringIO()):
        evaluator = trackeval.Evaluator(eval_config)
        out, msg = evaluator.evaluate(
            [trackeval.datasets.YouTubeVIS(dataset_config)],
            [trackeval.metrics.HOTA(),
             trackeval.metrics.TrackMAP(track_map_config())])
    assert msg['YouTubeVIS']['ours'] == 'Success', msg
    comb = out['YouTubeVIS']['ours']['COMBINED_SEQ']['cls_comb_cls_av']
    return {
        'HOTA': 100 * np.mean(comb['HOTA']['HOTA']),
        'DetA': 100 * np.mean(comb['HOTA']['DetA']),
        'AssA': 100 * np.mean(comb['HOTA']['AssA']),
        'LocA': 100 * np.mean(comb['HOTA']['LocA']),
        'mAP': 100 * np.mean(comb['TrackMAP']['AP_all']),
        'mAP_s': 100 * np.mean(comb['TrackMAP']['AP_area_s']),
        'mAP_m': 100 * np.mean(comb['TrackMAP']['AP_area_m']),
        'mAP_l': 100 * np.mean(comb['TrackMAP']['AP_area_l']),
    }


@pytest.mark.parametrize('seed', [0, 1, 2])
@pytest.mark.parametrize('protocol', ['aviseval', 'strict'])
def test_hota_and_map_equal_trackeval(tmp_path, seed, protocol):
    # aviseval: AVISM-format results (empty masks are detections for both);
    # strict: null-format results (no empty masks, so both agree that a
    # null is an absence). All 3 categories are used, so class averaging
    # with or without empty classes is the same.
    videos, res_null, res_avism = random_case(seed)
    gt = make_gt(videos, [1, 2, 3])
    results = res_avism if protocol == 'aviseval' else res_null
    ref = run_trackeval(tmp_path, gt, results)
    ours = evaluate_avis(gt, results, protocol=protocol,
                         metrics=['HOTA', 'mAP'])
    for key, value in ref.items():
        if value == -100:  # trackeval's "undefined"
            assert np.isnan(ours[key]), key
        else:
            assert ours[key] == pytest.approx(value, abs=1e-9), key
    # the generated case is not trivial
    assert 5 < ours['HOTA'] < 95 and 5 < ours['mAP'] < 95
