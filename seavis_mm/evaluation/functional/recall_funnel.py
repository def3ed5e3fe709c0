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
- ``deduplicated``: such an audible candidate is also kept by the
  tracker's mask NMS (queries recorded without ``kept``: all are);
- ``output``: the tracker's output of the frame segments it (the
  ``sounding_found`` / ``silent_found`` of :func:`silence_breakdown`).

Each drop between two columns is one cause: the masks (localised), the
class scores (candidate), the sound gate (audible), the mask NMS
(deduplicated), association and track birth (output). For silent objects
the same columns show where they are rightly dropped.

The sounding objects that are not localised are then split by what the
query closest to them (highest IoU) does instead (``unlocalised``):
``no_query`` (no query reaches IoU 0.1), ``merged_sounding`` /
``merged_silent`` (it also covers 30% of another sounding / visible
but silent object of the frame: two objects drawn as one), ``over`` (it
spills onto the background: under half of it is on the object) or
``under`` (it sits on the object but covers too little of it); and how
many of the merged sounding pairs are of one category (look-alikes).

The sounding objects the mask NMS drops are split by the kept mask that
covers most of them (``suppressed``): ``merged`` (it covers 30% of the
object and 30% of another sounding or visible object: a mask of two
objects outranks the object's own), ``duplicate`` (it covers 30% of the
object and of no other: a worse mask of the same object outranks it) or
``neighbour`` (no kept mask covers 30% of it: a neighbour's mask that
overlaps it a little).

The sounding columns are also split by the frame's sounding objects
(``by_sources``): ``single`` (one source), ``multiple_one_kind`` (several,
all of one category: look-alikes, which ToyAVIS sounds together) and
``multiple_kinds`` (several categories, their sounds mixed). A frame with
several sources counts for FSLA's FAm only when every one of them is
output, so this says at which stage those frames lose theirs.

The gate's drop is then split into ranking and calibration (``gate``): for
every object-frame with a candidate, the highest sounding score among its
candidates, for the sounding and the silent objects: how many pass the
threshold, the median, and the AUC of telling the two apart. A high AUC
with sounding objects under the threshold is a threshold that does not fit
the scores; an AUC near 0.5 is a gate that cannot tell.
"""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from .avis_data import AVISGroundTruth, load_gt, load_results
from .masks import mask_ious, rle_area
from .silence import _pct, _present, silent_objects

STAGES = ('localised', 'candidate', 'audible', 'deduplicated', 'output')
#: object areas (pixels, at the original size) the localised column is also
#: split by: small objects are where 1/4-resolution masks fail first
AREA_BINS = (0, 200, 400)
#: frames with one sounding object, several of one category, several of
#: several categories (``by_sources``)
SOURCES = ('single', 'multiple_one_kind', 'multiple_kinds')


def source_kind(num_objects: int, num_categories: int) -> str:
    """The :data:`SOURCES` kind of a frame with ``num_objects`` sounding
    objects (>= 1) of ``num_categories`` categories."""
    if num_objects < 1:
        raise ValueError('source_kind: a frame without a sounding object '
                         'has no kind of source')
    return SOURCES[0 if num_objects == 1 else 1 if num_categories == 1 else 2]


#: why an unlocalised sounding object is missed, in the order tested
FAILURES = ('no_query', 'merged_sounding', 'merged_silent', 'over', 'under')
#: why the mask NMS drops an audible sounding object, in the order tested
SUPPRESSED = ('merged', 'duplicate', 'neighbour')
#: below this IoU no query is near the object
NEAR_IOU = 0.1
#: a query that covers this share of another object draws it too
MERGE_COVER = 0.3


def _why_unlocalised(obj: dict, query: Optional[dict], best_iou: float,
                     sounding: list, silent: list) -> Tuple[str, int]:
    """The :data:`FAILURES` entry of an unlocalised object (RLE ``obj``),
    from the query closest to it (``query``, IoU ``best_iou``) and the
    frame's other sounding and silent objects, with the index of the object
    it is merged with (-1 when not merged)."""
    if query is None or best_iou < NEAR_IOU:
        return 'no_query', -1
    for name, others in (('merged_sounding', sounding),
                         ('merged_silent', silent)):
        for i, o in enumerate(others):
            if _draws(query, o):
                return name, i
    on_object = _inter(obj, query) / max(rle_area(query), 1)
    return ('over' if on_object < 0.5 else 'under'), -1


def _why_suppressed(obj: dict, kept: list, others: list) -> str:
    """The :data:`SUPPRESSED` entry of an object (RLE ``obj``) that the mask
    NMS drops, from the kept masks of its frame (``kept``) and the frame's
    other sounding and silent objects (``others``)."""
    if not kept:
        return 'neighbour'
    area = max(rle_area(obj), 1)
    cover = [_inter(obj, k) / area for k in kept]
    best = int(np.argmax(cover))
    if cover[best] < MERGE_COVER:
        return 'neighbour'
    if any(_draws(kept[best], o) for o in others):
        return 'merged'
    return 'duplicate'


def _inter(a: dict, b: dict) -> int:
    """Pixels two RLEs share."""
    from pycocotools import mask as mask_utils
    return rle_area(mask_utils.merge([a, b], True))


def _draws(mask: dict, obj: dict) -> bool:
    """Whether ``mask`` covers :data:`MERGE_COVER` of object ``obj`` (both
    RLEs): it draws that object too."""
    return _inter(obj, mask) >= MERGE_COVER * rle_area(obj)


def _auc(pos: List[float], neg: List[float]) -> float:
    """Probability that a random positive scores above a random negative
    (ties count half): the Mann-Whitney form of the ROC AUC."""
    if not pos or not neg:
        return float('nan')
    p, n = np.asarray(pos)[:, None], np.asarray(neg)[None]
    return float((p > n).mean() + 0.5 * (p == n).mean())


def _gate_stats(scores: List[float], thr: float) -> dict:
    return dict(objects=len(scores),
                passed=_pct(int((np.asarray(scores) > thr).sum()),
                            len(scores)),
                median=float(np.median(scores)) if scores else float('nan'))


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
        % localised; ``by_sources``: per :data:`SOURCES` kind of frame
        (one sounding object, several of one category, several
        categories), its sounding objects' number and % at each of
        :data:`STAGES`; ``by_category``: the same per ground-truth category
        id (a shape the masks cannot draw, such as a ring's hole, shows
        there and not by area); ``sounding_best_iou``: the mean over the
        sounding objects of the best IoU any query reaches (0 where none
        overlaps), which FSLA's higher IoU thresholds depend on;
        ``unlocalised``: the number of unlocalised sounding objects and
        the % of them in each :data:`FAILURES` class (``merged_silent``
        only with ``visible_gt``), and ``merged_same_category``: the % of
        the ``merged_sounding`` ones merged with an object of their own
        category (look-alikes); ``suppressed``: the number of audible
        sounding objects the mask NMS drops and the % of them in each
        :data:`SUPPRESSED` class; ``gate``: per kind, the candidates'
        best sounding scores (``objects``, % ``passed``, ``median``) and,
        with ``visible_gt``, their ``auc``.
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
    # per category id, as by_src: objects, then per stage
    by_cat: Dict[int, Dict[str, int]] = {}
    # frames with one / several sounding objects: objects, then per stage
    by_src = {k: dict.fromkeys(('objects', ) + STAGES, 0)
              for k in SOURCES}
    best_ious: List[float] = []
    why = {f: 0 for f in FAILURES}
    same_cat = 0  # merged_sounding with an object of the same category
    suppressed = {f: 0 for f in SUPPRESSED}
    # per kind, the best sounding score among each object's candidates
    gate_scores: Dict[str, List[float]] = dict(sounding=[], silent=[])
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
            sound = np.asarray(q['sounding'], float)
            audible = sound > sound_thr
            kept = np.asarray(q.get('kept', np.ones(len(scores))), bool)
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
                    for b, hit in zip(idx, on.any(1)):
                        by_area[bins[b]][0] += 1
                        by_area[bins[b]][1] += int(hit)
                    best = ious.max(1) if ious.shape[1] else \
                        np.zeros(len(objs))
                    best_ious.extend(best.tolist())
                    for i in np.flatnonzero(~on.any(1)):
                        query = q['masks'][int(ious[i].argmax())] \
                            if ious.shape[1] else None
                        others = snd_tracks[:i] + snd_tracks[i + 1:]
                        cls, j = _why_unlocalised(
                            objs[i], query, float(best[i]),
                            [tr.segmentations[t] for tr in others],
                            objects.get('silent', []))
                        why[cls] += 1
                        same_cat += int(
                            cls == 'merged_sounding' and
                            others[j].category_id ==
                            snd_tracks[i].category_id)
                counts[f'{kind}_candidate'] += int(cand.any(1).sum())
                gate_scores[kind].extend(
                    float(sound[row].max()) for row in cand if row.any())
                passed = cand & audible[None]
                counts[f'{kind}_audible'] += int(passed.any(1).sum())
                dedup = (passed & kept[None]).any(1)
                counts[f'{kind}_deduplicated'] += int(dedup.sum())
                if kind == 'sounding':
                    kept_masks = [
                        m for m, k in zip(q['masks'], kept) if k
                    ]
                    for i in np.flatnonzero(passed.any(1) & ~dedup):
                        suppressed[_why_suppressed(
                            objs[i], kept_masks,
                            objs[:i] + objs[i + 1:] +
                            objects.get('silent', []))] += 1
                found = (mask_ious(objs, output) >= iou_thr).any(1)
                counts[f'{kind}_output'] += int(found.sum())
                if kind == 'sounding':
                    hits = (on.any(1), cand.any(1), passed.any(1), dedup,
                            found)
                    _count_stages(
                        by_src[source_kind(
                            len(objs),
                            len({tr.category_id for tr in snd_tracks}))],
                        hits)
                    for i, tr in enumerate(snd_tracks):
                        _count_stages(
                            by_cat.setdefault(
                                int(tr.category_id),
                                dict.fromkeys(('objects', ) + STAGES, 0)),
                            [h[i:i + 1] for h in hits])
    out: Dict[str, float] = {}
    for kind in _kinds(visible):
        n = counts[f'{kind}_objects']
        out[f'{kind}_objects'] = n
        for s in STAGES:
            out[f'{kind}_{s}'] = _pct(counts[f'{kind}_{s}'], n)
    out['by_area'] = {
        b: dict(objects=n, localised=_pct(hit, n))
        for b, (n, hit) in by_area.items()
    }
    out['by_sources'] = {
        k: dict(objects=b['objects'],
                **{s: _pct(b[s], b['objects'])
                   for s in STAGES})
        for k, b in by_src.items()
    }
    out['by_category'] = {
        str(c): dict(objects=b['objects'],
                     **{s: _pct(b[s], b['objects'])
                        for s in STAGES})
        for c, b in sorted(by_cat.items())
    }
    out['sounding_best_iou'] = float(np.mean(best_ious)) if best_ious \
        else float('nan')
    n = sum(why.values())
    out['unlocalised'] = dict(
        objects=n, **{f: _pct(k, n)
                      for f, k in why.items()
                      if f != 'merged_silent' or visible is not None},
        merged_same_category=_pct(same_cat, why['merged_sounding']))
    n = sum(suppressed.values())
    out['suppressed'] = dict(
        objects=n, **{f: _pct(k, n)
                      for f, k in suppressed.items()})
    out['gate'] = {
        kind: _gate_stats(gate_scores[kind], sound_thr)
        for kind in _kinds(visible)
    }
    if visible is not None:
        out['gate']['auc'] = _auc(gate_scores['sounding'],
                                  gate_scores['silent'])
    return out


def _count_stages(bucket: Dict[str, int],
                  hits: Sequence[np.ndarray]) -> None:
    """Add objects to a breakdown's bucket: ``hits`` holds, per stage of
    :data:`STAGES`, a boolean per object (``by_sources``, ``by_category``).
    """
    bucket['objects'] += len(hits[0])
    for stage, hit in zip(STAGES, hits):
        bucket[stage] += int(np.sum(hit))


def _kinds(visible) -> Tuple[str, ...]:
    """The kinds of objects counted: the silent ones need the visible
    ground truth."""
    return ('sounding', 'silent') if visible is not None else \
        ('sounding', )


def format_funnel(rows: Sequence[tuple]) -> str:
    """``(name, funnel)`` rows as one table per kind of object (sounding,
    silent), one column per stage (% of the object-frames)."""
    lines = []
    for kind in ('sounding', 'silent'):
        kept = [(n, f) for n, f in rows if f'{kind}_objects' in f]
        if not kept:
            continue
        head = f'{kind + " objects, %":<28}{"n":>6}' + ''.join(
            f'{s:>13}' for s in STAGES)
        lines += [head, '-' * len(head)]
        for name, f in kept:
            lines.append(f'{name:<28}{f[f"{kind}_objects"]:>6}' + ''.join(
                f'{f[f"{kind}_{s}"]:>13.1f}' for s in STAGES))
        lines.append('')
    kept = [(n, f) for n, f in rows if 'by_sources' in f]
    if kept:
        head = f'{"sounding, by sources in the frame":<34}' \
            f'{"frames":<13}{"n":>6}' + ''.join(f'{s:>13}' for s in STAGES)
        lines += [head, '-' * len(head)]
        for name, f in kept:
            for k, b in f['by_sources'].items():
                lines.append(f'{name[:27]:<28}{k:<19}{b["objects"]:>6}' +
                             ''.join(f'{b[s]:>13.1f}' for s in STAGES))
        lines.append('')
    kept = [(n, f) for n, f in rows if 'by_area' in f]
    if kept:
        bins = list(kept[0][1]['by_area'])
        lines.append(f'{"sounding localised by area (px), %":<34}' +
                     ''.join(f'{b:>12}' for b in bins))
        for name, f in kept:
            cells = [f['by_area'][b] for b in bins]
            lines.append(f'{name:<34}' + ''.join(
                f'{c["localised"]:>6.1f} ({c["objects"]:>3})' for c in cells))
    kept = [(n, f) for n, f in rows if f.get('by_category')]
    if kept:
        lines.append('')
        head = f'{"sounding by category, %":<34}{"category":<13}{"n":>6}' \
            + ''.join(f'{s:>13}' for s in STAGES)
        lines += [head, '-' * len(head)]
        for name, f in kept:
            for c, b in f['by_category'].items():
                lines.append(f'{name[:33]:<34}{"cat " + c:<13}'
                             f'{b["objects"]:>6}' +
                             ''.join(f'{b[s]:>13.1f}' for s in STAGES))
        lines.append(f'{"sounding best IoU (mean)":<34}' + ''.join(
            f'{n[:20]:>22}: {f.get("sounding_best_iou", float("nan")):.3f}'
            for n, f in kept))
    kept = [(n, f) for n, f in rows if f.get('unlocalised')]
    if kept:
        lines.append('')
        lines.append(f'{"why not localised, % of n":<28}{"n":>6}' +
                     ''.join(f'{c:>17}' for c in FAILURES) +
                     f'{"of which look-alike":>21}')
        for name, f in kept:
            u = f['unlocalised']
            lines.append(f'{name:<28}{u["objects"]:>6}' + ''.join(
                f'{u[c]:>17.1f}' if c in u else f'{"-":>17}'
                for c in FAILURES) + f'{u["merged_same_category"]:>21.1f}')
    kept = [(n, f) for n, f in rows if f.get('suppressed')]
    if kept:
        lines.append('')
        lines.append(f'{"why dropped by the NMS, % of n":<28}{"n":>6}' +
                     ''.join(f'{c:>12}' for c in SUPPRESSED))
        for name, f in kept:
            u = f['suppressed']
            lines.append(f'{name:<28}{u["objects"]:>6}' + ''.join(
                f'{u[c]:>12.1f}' for c in SUPPRESSED))
    kept = [(n, f) for n, f in rows if f.get('gate')]
    if kept:
        lines.append('')
        lines.append(f'{"gate on the candidates":<28}' + ''.join(
            f'{c:>14}' for c in ('sounding n', 'passed %', 'median',
                                 'silent n', 'passed %', 'median',
                                 'AUC')))
        for name, f in kept:
            g = f['gate']
            cells = []
            for kind in ('sounding', 'silent'):
                v = g.get(kind)
                cells += [f'{v["objects"]:>14}', f'{v["passed"]:>14.1f}',
                          f'{v["median"]:>14.3f}'] if v else \
                    [f'{"-":>14}'] * 3
            cells.append(f'{g.get("auc", float("nan")):>14.3f}')
            lines.append(f'{name:<28}' + ''.join(cells))
    return '\n'.join(lines).rstrip()


__all__ = [
    'STAGES', 'FAILURES', 'SUPPRESSED', 'recall_funnel', 'format_funnel'
]
