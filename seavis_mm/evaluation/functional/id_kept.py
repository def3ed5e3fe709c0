# Copyright (c) seavis_mm contributors. All rights reserved.
"""IDKept: does an object keep its track id across a silent gap?
trackeval-style."""
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from scipy.optimize import linear_sum_assignment
from trackeval.metrics._base_metric import _BaseMetric

# (name, shortest, longest) gap, in frames; None: no upper bound.
GAP_BINS: Tuple[Tuple[str, int, Optional[int]], ...] = (
    ('1', 1, 1), ('2-3', 2, 3), ('4-7', 4, 7), ('8+', 8, None))


def clear_matches(data: dict, threshold: float = 0.5) -> List[Dict[int,
                                                                   int]]:
    """Per frame, ``{gt_id: tracker_id}`` as trackeval's CLEAR matches them.

    Hungarian assignment maximising ``1000 * [the tracker id matched to this
    GT id in the previous frame] + IoU`` over pairs with IoU >= ``threshold``
    (``trackeval/metrics/clear.py``), so that a gap counted as kept here is
    never one of CLEAR's ID switches and vice versa.
    """
    prev: Dict[int, int] = {}
    out = []
    for gt_ids, tr_ids, sim in zip(data['gt_ids'], data['tracker_ids'],
                                   data['similarity_scores']):
        matched: Dict[int, int] = {}
        if len(gt_ids) and len(tr_ids):
            cont = np.array([[prev.get(int(g)) == int(p) for p in tr_ids]
                             for g in gt_ids])
            score = 1000 * cont + sim
            score[sim < threshold - np.finfo('float').eps] = 0
            rows, cols = linear_sum_assignment(-score)
            for r, c in zip(rows, cols):
                if score[r, c] > np.finfo('float').eps:
                    matched[int(gt_ids[r])] = int(tr_ids[c])
        out.append(matched)
        prev = matched
    return out


def gap_bin(length: int) -> str:
    """The :data:`GAP_BINS` name of a gap of ``length`` frames."""
    for name, low, high in GAP_BINS:
        if length >= low and (high is None or length <= high):
            return name
    raise ValueError(f'a gap lasts at least one frame, got {length}')


class IDKept(_BaseMetric):
    r"""Share of silent gaps across which an object keeps its track id.

    A GT track :math:`g` of the *sounding* ground truth is present in the
    frames :math:`F_g` where it is visible and sounding. A **gap** is a run
    of frames :math:`t_1 < t < t_2` between two consecutive frames
    :math:`t_1, t_2` of :math:`F_g` with :math:`t_2 - t_1 > 1`; its length
    is :math:`L = t_2 - t_1 - 1`. It is a **silent gap** when the object is
    visible but silent in at least one of its frames (known from the ground
    truth of every visible object, ``data['gt_silent_ids']``; without it
    every gap counts). Let :math:`m_t(g)` be the tracker id matched to
    :math:`g` in frame :math:`t` by CLEAR's per-frame matching
    (:func:`clear_matches`, IoU >= 0.5). Then, per gap-length bin
    :math:`b` (:data:`GAP_BINS`: 1, 2-3, 4-7, 8+ frames):

    .. math::

        \mathrm{IDKept}_b = 100 \cdot
        \frac{|\{\text{silent gaps in } b: m_{t_1}(g) = m_{t_2}(g)\}|}
             {|\{\text{silent gaps in } b: m_{t_1}(g), m_{t_2}(g)
               \text{ both exist}\}|}

    and :math:`\mathrm{IDKept}` the same over all gaps. Only gaps whose
    object is found at both ends count, so the metric measures identity,
    not detection (``Gaps_b`` and ``GapsFound_b`` give the counts; NaN
    where no gap was found at both ends). A found gap that is not kept is
    one of CLEAR's ID switches.

    ``eval_sequence`` takes one class of one video, as trackeval's metrics
    do (:func:`~.avis_data.class_sequence_data`), plus optional
    ``gt_silent_ids``: per frame, the (relabelled) GT ids that are visible
    but silent there.
    """

    def __init__(self, config: Optional[dict] = None):
        super().__init__()
        config = dict(config or {})
        self.threshold = float(config.get('THRESHOLD', 0.5))
        names = [name for name, _, _ in GAP_BINS] + ['all']
        self.integer_fields = [f'{k}_{b}' for b in names
                               for k in ('Gaps', 'GapsFound', 'GapsKept')]
        self.float_fields = [f'IDKept_{b}' for b in names[:-1]] + ['IDKept']
        self.fields = self.float_fields + self.integer_fields
        self.summary_fields = self.fields

    def eval_sequence(self, data: dict) -> Dict[str, float]:
        """Count the silent gaps of one class of one video."""
        res = {field: 0 for field in self.integer_fields}
        matches = clear_matches(data, self.threshold)
        silent_ids = data.get('gt_silent_ids')
        frames: Dict[int, List[int]] = {}
        for t, gt_ids in enumerate(data['gt_ids']):
            for g in gt_ids:
                frames.setdefault(int(g), []).append(t)
        for g, present in frames.items():
            for t1, t2 in zip(present[:-1], present[1:]):
                if t2 - t1 < 2:
                    continue
                if silent_ids is not None and not any(
                        g in silent_ids[t] for t in range(t1 + 1, t2)):
                    continue  # out of sight all along: not a silent gap
                found = g in matches[t1] and g in matches[t2]
                kept = found and matches[t1][g] == matches[t2][g]
                for b in (gap_bin(t2 - t1 - 1), 'all'):
                    res[f'Gaps_{b}'] += 1
                    res[f'GapsFound_{b}'] += int(found)
                    res[f'GapsKept_{b}'] += int(kept)
        return self._compute_final_fields(res)

    def combine_sequences(self, all_res: dict) -> Dict[str, float]:
        """Pool the gap counts of all sequences."""
        return self._combine(all_res)

    def combine_classes_det_averaged(self, all_res: dict) -> Dict[str,
                                                                  float]:
        """Pool the gap counts of all classes."""
        return self._combine(all_res)

    def combine_classes_class_averaged(self,
                                       all_res: dict,
                                       ignore_empty_classes: bool = False
                                       ) -> Dict[str, float]:
        """Mean of the per-class shares (classes with a found gap when
        ``ignore_empty_classes``); counts are summed."""
        res = {f: self._combine_sum(all_res, f) for f in self.integer_fields}
        for field in self.float_fields:
            vals = [v[field] for v in all_res.values()]
            if ignore_empty_classes:
                vals = [v for v in vals if not np.isnan(v)]
            res[field] = float(np.mean(vals)) if vals else float('nan')
        return res

    def _combine(self, all_res: dict) -> Dict[str, float]:
        res = {f: self._combine_sum(all_res, f) for f in self.integer_fields}
        return self._compute_final_fields(res)

    def _compute_final_fields(self, res: dict) -> dict:
        for field in self.float_fields:
            b = field.split('_', 1)[1] if '_' in field else 'all'
            found = res[f'GapsFound_{b}']
            res[field] = (100.0 * res[f'GapsKept_{b}'] /
                          found if found else float('nan'))
        return res


__all__: Sequence[str] = ['IDKept', 'GAP_BINS', 'clear_matches', 'gap_bin']
