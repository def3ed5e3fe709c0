# Copyright (c) seavis_mm contributors. All rights reserved.
"""Where are sounding objects lost: no query segments them, their query
scores too low to be a candidate, its sounding score is under the gate, or
the tracker drops it?

For every object-frame of the sounding ground truth (and, with the ground
truth of every visible object, of the silent ones) this counts, at mask IoU
>= ``iou_thr``, cumulatively:

- ``localised``: some query of the frame segments it;
- ``candidate``: such a query also scores above the tracker's ``score_thr``;
- ``audible``: such a candidate's sounding score (probability, or cosine
  with the audio anchor) is also above the gate's threshold;
- ``output``: the tracker's output of the frame segments it (the
  ``sounding_found`` / ``silent_found`` of :func:`silence_breakdown`).

Each drop between two columns is one cause: the masks (localised), the
class scores (candidate), the sound gate (audible), association and track
birth (output). For silent objects the same columns show where they are
rightly dropped.
"""
from typing import Dict, List, Optional, Sequence, Union

import numpy as np

from .avis_data import AVISGroundTruth, load_gt, load_results
from .masks import mask_ious
from .silence import _pct, _present, silent_objects

STAGES = ('localised', 'candidate', 'audible', 'output')
#: object areas (pixels, at the original size) the localised column is also
#: split by: small objects are where 1/4-resolution masks fail first
AREA_BINS = (0, 200, 400)


def recall_funnel(gt: Union[str, dict, AVISGroundTruth],
                  queries: Dict[int, List[dict]],
                  results: Union[str, list],
                  score_thr: float,
                  sound_thr: float,
                  visible_gt: Optional[Union[str, dict,
                                             AVISGroundTruth]] = None,
                  iou_thr: float = 0.5) -> Dict[str, float]:
    """The funnel (see the module docstring).

    Args:
        gt (str | dict | AVISGroundTruth): Ground truth of the sounding
            objects.
        queries (dict): Per video id, per frame (in order), the queries the
            tracker was given: ``masks`` (list of RLEs at the original
            size), ``scores`` and ``sounding`` (per-query arrays).
        results (str | list): The tracker's output, AVISM format.
        score_thr (float): The tracker's candidate threshold.
        sound_thr (float): The gate's threshold on ``sounding``.
        visible_gt (optional): Ground truth of every visible object
            (ToyAVIS ``{split}_visible.json``), for the silent columns.
        iou_thr (float): IoU for a mask to be on an object.

    Returns:
        dict: ``sounding_objects`` and ``sounding_<stage>`` (% of them) for
        each of :data:`STAGES`; with ``visible_gt`` also ``silent_objects``
        and ``silent_<stage>``; ``by_area``: per :data:`AREA_BINS` bin of
        the sounding objects (``"0-200"`` ... ``"400+"``), their number and
        % localised; ``by_category``: the same per ground-truth category
        id (a shape the masks cannot draw, such as a ring's hole, shows
        there and not by area); ``sounding_best_iou``: the mean over the
        sounding objects of the best IoU any query reaches (0 where none
        overlaps), which FSLA's higher IoU thresholds depend on.
    """
    from pycocotools import mask as mask_utils
    sounding = load_gt(gt)
    visible = load_gt(visible_gt) if visible_gt is not None else None
    preds = load_results(results, sounding, protocol='strict')
    counts = {f'{kind}_{s}': 0 for kind in ('sounding', 'silent')
              for s in ('objects', ) + STAGES}
    edges = list(AREA_BINS) + [float('inf')]
    bins = [f'{lo}-{hi}' if hi != float('inf') else f'{lo}+'
            for lo, hi in zip(edges[:-1], edges[1:])]
    by_area = {b: [0, 0] for b in bins}  # objects, localised
    by_cat: Dict[int, List[int]] = {}  # category id -> objects, localised
    best_ious: List[float] = []
    for vid, video in sounding.videos.items():
        frames = queries.get(vid)
        if frames is None or len(frames) != video.length:
            raise ValueError(
                f'recall_funnel: video {vid} has {video.length} frames in '
                f'the ground truth and '
                f'{None if frames is None else len(frames)} recorded')
        for t in range(video.length):
            # the sounding tracks present at t (_present's masks, with
            # their categories for by_category)
            snd_tracks = [
                tr for tr in video.tracks if tr.segmentations[t] is not None
            ]
            snd = [tr.segmentations[t] for tr in snd_tracks]
            objects = dict(sounding=snd)
            if visible is not None:
                objects['silent'] = silent_objects(
                    _present(visible.videos[vid].tracks, t), snd)
            q = frames[t]
            scores = np.asarray(q['scores'], float)
            audible = np.asarray(q['sounding'], float) > sound_thr
            output = _present(preds.get(vid, []), t)
            for kind, objs in objects.items():
                if not objs:
                    continue
                ious = mask_ious(objs, list(q['masks']))
                on = ious >= iou_thr
                cand = on & (scores > score_thr)[None]
                counts[f'{kind}_objects'] += len(objs)
                counts[f'{kind}_localised'] += int(on.any(1).sum())
                if kind == 'sounding':
                    areas = mask_utils.area(objs)
                    idx = np.searchsorted(edges, areas, side='right') - 1
                    for b, tr, hit in zip(idx, snd_tracks, on.any(1)):
                        by_area[bins[b]][0] += 1
                        by_area[bins[b]][1] += int(hit)
                        cat = by_cat.setdefault(int(tr.category_id), [0, 0])
                        cat[0] += 1
                        cat[1] += int(hit)
                    best_ious.extend(
                        ious.max(1).tolist() if ious.shape[1] else
                        [0.0] * len(objs))
                counts[f'{kind}_candidate'] += int(cand.any(1).sum())
                counts[f'{kind}_audible'] += int(
                    (cand & audible[None]).any(1).sum())
                counts[f'{kind}_output'] += int(
                    (mask_ious(objs, output) >= iou_thr).any(1).sum())
    out: Dict[str, float] = {}
    for kind in ('sounding', 'silent') if visible is not None else \
            ('sounding', ):
        n = counts[f'{kind}_objects']
        out[f'{kind}_objects'] = n
        for s in STAGES:
            out[f'{kind}_{s}'] = _pct(counts[f'{kind}_{s}'], n)
    out['by_area'] = {
        b: dict(objects=n, localised=_pct(hit, n))
        for b, (n, hit) in by_area.items()
    }
    out['by_category'] = {
        str(c): dict(objects=n, localised=_pct(hit, n))
        for c, (n, hit) in sorted(by_cat.items())
    }
    out['sounding_best_iou'] = float(np.mean(best_ious)) if best_ious \
        else float('nan')
    return out


def format_funnel(rows: Sequence[tuple]) -> str:
    """``(name, funnel)`` rows as one table per kind of object (sounding,
    silent), one column per stage (% of the object-frames)."""
    lines = []
    for kind in ('sounding', 'silent'):
        kept = [(n, f) for n, f in rows if f'{kind}_objects' in f]
        if not kept:
            continue
        head = f'{kind + " objects, %":<28}{"n":>6}' + ''.join(
            f'{s:>11}' for s in STAGES)
        lines += [head, '-' * len(head)]
        for name, f in kept:
            lines.append(f'{name:<28}{f[f"{kind}_objects"]:>6}' + ''.join(
                f'{f[f"{kind}_{s}"]:>11.1f}' for s in STAGES))
        lines.append('')
    kept = [(n, f) for n, f in rows if 'by_area' in f]
    if kept:
        bins = list(kept[0][1]['by_area'])
        lines.append(f'{"sounding localised by area (px), %":<34}' +
                     ''.join(f'{b:>12}' for b in bins))
        for name, f in kept:
            lines.append(f'{name:<34}' + ''.join(
                f'{f["by_area"][b]["localised"]:>6.1f} ({f["by_area"][b]["objects"]:>3})'
                for b in bins))
    kept = [(n, f) for n, f in rows if f.get('by_category')]
    if kept:
        cats = sorted({c for _, f in kept for c in f['by_category']}, key=int)
        lines.append('')
        lines.append(f'{"sounding localised by category, %":<34}' +
                     ''.join(f'{"cat " + c:>12}' for c in cats) +
                     f'{"best IoU":>10}')
        for name, f in kept:
            cells = []
            for c in cats:
                v = f['by_category'].get(c)
                cells.append(f'{v["localised"]:>6.1f} ({v["objects"]:>3})'
                             if v else f'{"-":>12}')
            lines.append(f'{name:<34}' + ''.join(cells) +
                         f'{f.get("sounding_best_iou", float("nan")):>10.3f}')
    return '\n'.join(lines).rstrip()


__all__ = ['STAGES', 'recall_funnel', 'format_funnel']
