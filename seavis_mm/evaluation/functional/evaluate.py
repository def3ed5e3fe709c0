# Copyright (c) seavis_mm contributors. All rights reserved.
"""``evaluate_avis``: FSLA, HOTA and mAP of AVIS results, as AVISeg scores
them (AVISM's ``aviseval``: ``eval.py`` and ``avis_eval.eval_track``).

HOTA and TrackMAP are trackeval's own classes; FSLA is :class:`~.fsla.FSLA`.
"""
from typing import Dict, Optional, Sequence, Union

import numpy as np
from trackeval.metrics import HOTA, TrackMAP

from .avis_data import (PROTOCOLS, AVISGroundTruth, build_raw_sequence,
                        class_sequence_data, load_gt, load_results)
from .fsla import FSLA

AVIS_METRICS = ('FSLA', 'HOTA', 'mAP')
# AVISM's avis_eval.eval_track: AVISeg's area ranges, no time ranges.
AREA_RANGES = [[0**2, 128**2], [128**2, 256**2], [256**2, 1e5**2]]
HOTA_KEYS = ('HOTA', 'DetA', 'AssA', 'LocA', 'DetRe', 'DetPr', 'AssRe',
             'AssPr')
MAP_KEYS = {'mAP': 'AP_all', 'mAP_s': 'AP_area_s', 'mAP_m': 'AP_area_m',
            'mAP_l': 'AP_area_l', 'AR': 'AR_all'}


def track_map_config() -> dict:
    """trackeval TrackMAP config used by AVISeg."""
    config = TrackMAP.get_default_metric_config()
    config.update(USE_TIME_RANGES=False, AREA_RANGES=AREA_RANGES,
                  PRINT_CONFIG=False)
    return config


def _pct(values) -> float:
    """100 x mean over thresholds, NaN where undefined."""
    values = np.asarray(values, dtype=float)
    if values.size == 0 or np.isnan(values).any():
        return float('nan')
    return float(100 * np.mean(values))


def _fsla_summary(res: dict) -> Dict[str, float]:
    return {
        'FSLA': _pct(res['FA']),
        'FAn': _pct(res['FAn']),
        'FAs': _pct(res['FAs']),
        'FAm': _pct(res['FAm']),
    }


def evaluate_avis(gt: Union[str, dict, AVISGroundTruth],
                  results: Union[str, list],
                  protocol: str = 'strict',
                  metrics: Sequence[str] = AVIS_METRICS,
                  video_ids: Optional[Sequence[int]] = None,
                  per_video: bool = False,
                  progress: bool = False) -> dict:
    """Score AVIS results with FSLA, HOTA and mAP.

    Args:
        gt (str | dict | AVISGroundTruth): AVISeg ground truth (JSON path,
            its content, or :func:`load_gt`'s output).
        results (str | list): Results in AVISM's format (path or content):
            ``[{video_id, score, category_id, segmentations}]``.
        protocol (str): ``'aviseval'`` (identical to AVISeg's official
            evaluator, quirks included) or ``'strict'`` (empty masks are
            absences; a perfect prediction scores 100). See
            ``docs/en/metrics.md``.
        metrics (Sequence[str]): Any of ``'FSLA'``, ``'HOTA'``, ``'mAP'``.
        video_ids (Sequence[int], optional): Evaluate only these GT videos
            (default: all, as AVISeg does).
        per_video (bool): Also return ``'per_video'``: ``{video_id: {FSLA,
            FAn, FAs, FAm, num_frames, num_no_source, num_single_source,
            num_multi_source}}``.
        progress (bool): Show mmengine's progress bar over the videos.

    Returns:
        dict: Percentages: ``FSLA, FAn, FAs, FAm`` / ``HOTA, DetA, AssA,
        LocA, DetRe, DetPr, AssRe, AssPr`` / ``mAP, mAP_s, mAP_m, mAP_l,
        AR``; NaN where undefined (e.g. FAm without multi-source frames).
    """
    if protocol not in PROTOCOLS:
        raise ValueError(f'protocol must be one of {PROTOCOLS}, got '
                         f'{protocol!r}.')
    unknown = set(metrics) - set(AVIS_METRICS)
    if unknown or not metrics:
        raise ValueError(f'metrics must be a non-empty subset of '
                         f'{AVIS_METRICS}, got {list(metrics)}.')
    gt_data = load_gt(gt)
    preds = load_results(results, gt_data, protocol)
    if video_ids is None:
        video_ids = list(gt_data.videos)
    missing = [v for v in video_ids if v not in gt_data.videos]
    if missing:
        raise ValueError(f'video_ids {missing} are not in the ground truth.')
    # AVISM evaluates sequences in sorted name order and numbers predicted
    # tracks with a running counter bumped twice per sequence (it loads the
    # results once for HOTA/TrackMAP, once for FSLA). Only id 0 matters:
    # trackeval's TrackMAP treats a GT matched to track id 0 as unmatched
    # (``gt_m > 0``), so ``aviseval`` keeps that; ``strict`` starts at 1.
    videos = sorted((gt_data.videos[v] for v in video_ids),
                    key=lambda v: (v.name, v.id))
    next_id = 0 if protocol == 'aviseval' else 1
    classes = gt_data.cat_ids

    fsla = FSLA({'PROTOCOL': protocol})
    hota = HOTA()
    track_map = TrackMAP(track_map_config())
    fsla_res, hota_res, map_res = {}, {c: {} for c in classes}, \
        {c: {} for c in classes}
    if progress:
        from mmengine.utils import track_iter_progress
        videos = track_iter_progress(videos)
    for video in videos:
        raw = build_raw_sequence(video, preds[video.id], next_id)
        next_id += len(preds[video.id]) * (2 if protocol == 'aviseval' else 1)
        if 'FSLA' in metrics or per_video:
            fsla_res[video.id] = fsla.eval_sequence(raw)
        if 'HOTA' in metrics or 'mAP' in metrics:
            for cls in classes:
                data = class_sequence_data(raw, cls)
                if 'HOTA' in metrics:
                    hota_res[cls][video.id] = hota.eval_sequence(data)
                if 'mAP' in metrics:
                    map_res[cls][video.id] = track_map.eval_sequence(data)

    out: dict = {}
    if 'FSLA' in metrics:
        out.update(_fsla_summary(fsla.combine_sequences(fsla_res)))
    if 'HOTA' in metrics:
        out.update(_combine_hota(hota, hota_res, protocol))
    if 'mAP' in metrics:
        per_cls = {c: track_map.combine_sequences(r)
                   for c, r in map_res.items()}
        avg = track_map.combine_classes_class_averaged(per_cls)
        for key, field in MAP_KEYS.items():
            # trackeval writes -1 where undefined (no GT in that range)
            vals = np.where(avg[field] == -1, np.nan, avg[field])
            out[key] = _pct(vals)
    if per_video:
        out['per_video'] = {}
        for vid, res in fsla_res.items():
            info = _fsla_summary(fsla.combine_sequences({vid: res}))
            info.update(
                num_frames=gt_data.videos[vid].length,
                num_no_source=int(res['n_all'][0]),
                num_single_source=int(res['s_all'][0]),
                num_multi_source=int(res['m_all'][0]))
            out['per_video'][vid] = info
    return out


def _combine_hota(hota: HOTA, seq_res: Dict[int, dict],
                  protocol: str) -> Dict[str, float]:
    """Class-averaged HOTA. ``aviseval`` averages over every category of
    the ground truth, as AVISeg does (a category with no GT and no prediction
    counts as 0); ``strict`` over the categories with a GT or predicted
    detection (trackeval's ``ignore_empty_classes``)."""
    per_cls = {c: hota.combine_sequences(r) for c, r in seq_res.items()}
    if protocol == 'strict':
        per_cls = {
            c: r for c, r in per_cls.items()
            if (r['HOTA_TP'] + r['HOTA_FN'] + r['HOTA_FP'] > 0).any()
        }
    if not per_cls:
        return {key: float('nan') for key in HOTA_KEYS}
    avg = hota.combine_classes_class_averaged(per_cls)
    return {key: _pct(avg[key]) for key in HOTA_KEYS}
