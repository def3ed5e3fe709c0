# Copyright (c) seavis_mm contributors. All rights reserved.
"""``evaluate_identity``: how well tracks keep their ids, on the sounding
and on the visible ground truth.

* IDF1 / IDP / IDR (IDTP, IDFN, IDFP): trackeval's ``Identity``;
* IDSW (and MOTA, Frag): trackeval's ``CLEAR``;
* IDKept by silent-gap length: :class:`~.id_kept.IDKept`.

Each runs per class on trackeval's data of one video and class
(:func:`~.avis_data.class_sequence_data`, as HOTA does here); sequences and
classes are pooled (trackeval's ``combine_sequences`` and
``combine_classes_det_averaged``: counts summed, ratios from the sums), so
IDSW is the total number of ID switches.

With the ground truth of every visible object (``{split}_visible.json`` of
ToyAVIS) the same Identity and CLEAR scores are also computed against it
(keys prefixed ``visible_``: a model that hides silent objects loses IDR
there, by design), and IDKept counts only the gaps in which the object was
visible but silent at least once.
"""
from typing import Dict, List, Optional, Union

import numpy as np
from trackeval.metrics import CLEAR, Identity

from .avis_data import (AVISGroundTruth, AVISVideo, build_raw_sequence,
                        class_sequence_data, load_gt, load_results)
from .id_kept import IDKept
from .masks import mask_ious
# a visible object and its sounding annotation hold the same mask
from .silence import _SAME_OBJECT_IOU
IDENTITY_KEYS = ('IDF1', 'IDP', 'IDR', 'IDTP', 'IDFN', 'IDFP')
CLEAR_KEYS = ('IDSW', 'MOTA', 'Frag')


def silent_frames(video: AVISVideo,
                  visible_video: AVISVideo) -> Dict[int, np.ndarray]:
    """Per sounding GT track id, the frames (bool ``[T]``) where the object
    is visible but silent.

    The visible track of a sounding track is the one of the same category
    whose mask is the same (IoU >= 0.9) in most of the frames where both are
    present; a sounding track with none is never silent.
    """
    out = {}
    for tr in video.tracks:
        best, best_votes = None, 0
        for vt in visible_video.tracks:
            if vt.category_id != tr.category_id:
                continue
            votes = sum(
                1 for a, b in zip(tr.segmentations, vt.segmentations)
                if a is not None and b is not None
                and mask_ious([a], [b])[0, 0] >= _SAME_OBJECT_IOU)
            if votes > best_votes:
                best, best_votes = vt, votes
        silent = np.zeros(video.length, bool)
        if best is not None:
            silent = np.array([
                v is not None and s is None
                for s, v in zip(tr.segmentations, best.segmentations)
            ])
        out[tr.id] = silent
    return out


def _silent_ids(raw: dict, cls_id: int, silent: Dict[int, np.ndarray]
                ) -> List[np.ndarray]:
    """Per frame, the relabelled ids (as :func:`class_sequence_data` numbers
    them) of the class's GT tracks that are visible but silent."""
    ids = [
        raw['gt_ids'][t][raw['gt_classes'][t] == cls_id]
        for t in range(raw['num_timesteps'])
    ]
    non_empty = [i for i in ids if len(i)]
    unique = np.unique(np.concatenate(non_empty)) if non_empty else []
    return [
        np.array([k for k, g in enumerate(unique) if silent[int(g)][t]], int)
        for t in range(raw['num_timesteps'])
    ]


def _score(gt_data: AVISGroundTruth,
           preds: dict,
           metrics: dict,
           silent: Optional[Dict[int, Dict[int, np.ndarray]]] = None
           ) -> Dict[str, dict]:
    """Run ``metrics`` ({name: trackeval metric}) per class and video,
    pool sequences then classes."""
    per = {name: {c: {} for c in gt_data.cat_ids} for name in metrics}
    next_id = 1
    for vid, video in gt_data.videos.items():
        raw = build_raw_sequence(video, preds[vid], next_id)
        next_id += len(preds[vid])
        for cls in gt_data.cat_ids:
            data = class_sequence_data(raw, cls)
            if silent is not None:
                data['gt_silent_ids'] = _silent_ids(raw, cls, silent[vid])
            for name, metric in metrics.items():
                per[name][cls][vid] = metric.eval_sequence(data)
    out = {}
    for name, metric in metrics.items():
        per_cls = {
            c: metric.combine_sequences(r)
            for c, r in per[name].items()
        }
        out[name] = metric.combine_classes_det_averaged(per_cls)
    return out


def evaluate_identity(
        gt: Union[str, dict, AVISGroundTruth],
        results: Union[str, list],
        visible_gt: Optional[Union[str, dict, AVISGroundTruth]] = None,
        threshold: float = 0.5) -> Dict[str, float]:
    """Identity metrics of AVIS results (protocol ``strict``: empty masks
    are absences).

    Args:
        gt (str | dict | AVISGroundTruth): Ground truth of the sounding
            objects (AVISeg JSON or :func:`load_gt`'s output).
        results (str | list): Results in AVISM's format.
        visible_gt (str | dict | AVISGroundTruth, optional): The same
            videos with every visible object annotated.
        threshold (float): Mask IoU of a match. Defaults to 0.5.

    Returns:
        dict: ``IDF1, IDP, IDR`` (%), ``IDTP, IDFN, IDFP``, ``IDSW``,
        ``MOTA`` (%), ``Frag``; ``IDKept`` and ``IDKept_1``, ``IDKept_2-3``,
        ``IDKept_4-7``, ``IDKept_8+`` (%, NaN without a gap found at both
        ends) with ``Gaps_*`` / ``GapsFound_*`` / ``GapsKept_*`` counts;
        with ``visible_gt`` the Identity and CLEAR keys again, prefixed
        ``visible_``.
    """
    sounding = load_gt(gt)
    preds = load_results(results, sounding, protocol='strict')
    config = dict(THRESHOLD=threshold, PRINT_CONFIG=False)
    metrics = dict(identity=Identity(config), clear=CLEAR(config),
                   kept=IDKept(config))
    silent = None
    visible = None
    if visible_gt is not None:
        visible = load_gt(visible_gt)
        _check_same_videos(sounding, visible)
        silent = {
            vid: silent_frames(v, visible.videos[vid])
            for vid, v in sounding.videos.items()
        }
    res = _score(sounding, preds, metrics, silent)
    out = _summary(res)
    kept = res['kept']
    out.update({k: float(kept[k]) for k in metrics['kept'].float_fields})
    out.update({k: int(kept[k]) for k in metrics['kept'].integer_fields})
    if visible is not None:
        vis_preds = load_results(results, visible, protocol='strict')
        vis = _score(visible, vis_preds,
                     dict(identity=metrics['identity'],
                          clear=metrics['clear']))
        out.update({f'visible_{k}': v for k, v in _summary(vis).items()})
    return out


def _summary(res: Dict[str, dict]) -> Dict[str, float]:
    out = {}
    for key in IDENTITY_KEYS:
        v = res['identity'][key]
        out[key] = float(100 * v) if key in ('IDF1', 'IDP', 'IDR') else int(v)
    for key in CLEAR_KEYS:
        v = res['clear'][key]
        out[key] = float(100 * v) if key == 'MOTA' else int(v)
    return out


def _check_same_videos(a: AVISGroundTruth, b: AVISGroundTruth) -> None:
    if set(a.videos) != set(b.videos):
        only = sorted(set(a.videos) ^ set(b.videos))
        raise ValueError('evaluate_identity: the sounding and the visible '
                         'ground truth hold different videos (video ids in '
                         f'one only: {only})')
    for vid, v in a.videos.items():
        if b.videos[vid].length != v.length:
            raise ValueError(f'evaluate_identity: video {vid} has "length" '
                             f'{v.length} in the sounding ground truth and '
                             f'{b.videos[vid].length} in the visible one')
