# Copyright (c) seavis_mm contributors. All rights reserved.
"""FSLA: Frame-level Sound Localisation Accuracy (AVISeg), trackeval-style."""
from typing import Dict, List, Optional, Tuple

import numpy as np
from scipy.optimize import linear_sum_assignment
from trackeval.metrics._base_metric import _BaseMetric

from .avis_data import PROTOCOLS, relabel_ids


class FSLA(_BaseMetric):
    r"""Frame-level Sound Localisation Accuracy of audio-visual instance
    segmentation, as AVISeg defines it.

    Source: AVISM (Guo et al., "AVIS: Audio-Visual Instance Segmentation",
    CVPR 2025), ``avism/data/aviseval/metrics/av_loc.py``
    (``compute_av_loc``, ``combine_av_loc_sequences``); this is a
    re-implementation in trackeval's metric shape, checked against it.

    Definition, for a video with GT tracks :math:`g` and predicted tracks
    :math:`p` (:math:`G_t`, :math:`P_t` those present in frame :math:`t`):

    1. Tracks are matched once per video (HOTA's global alignment): with
       :math:`S_t(g,p) = \mathrm{IoU}_t(g,p) / (\sum_{p'}\mathrm{IoU}_t(g,p')
       + \sum_{g'}\mathrm{IoU}_t(g',p) - \mathrm{IoU}_t(g,p))`,
       :math:`A(g,p) = \sum_t S_t / (n_g + n_p - \sum_t S_t)` (:math:`n` the
       number of frames where the track is present); the Hungarian
       assignment maximising :math:`A` gives the pairs :math:`M`.
    2. For each :math:`\alpha \in \{0.05, 0.10, \dots, 0.95\}`, frame
       :math:`t` is correct iff the set of GT classes of :math:`G_t` equals
       the set of classes of :math:`P_t`, :math:`|G_t|` equals the number of
       non-empty masks in :math:`P_t`, and

       * no source (:math:`|G_t| = 0`): nothing more;
       * single source (:math:`|G_t| = 1`): the matched prediction has
         :math:`\mathrm{IoU} > \alpha`;
       * multiple sources: every matched pair agrees: same class and
         :math:`\mathrm{IoU} > \alpha` (or GT absent and prediction empty).
    3. :math:`FA(\alpha)` = correct frames / frames, pooled over all frames of
       all videos; :math:`\mathrm{FSLA} = 100\,\mathrm{mean}_\alpha
       FA(\alpha)`. FAn / FAs / FAm: the same over frames with no / one /
       several sources (NaN where there is no such frame).

    Protocols (``config['PROTOCOL']``), the only place they differ in this
    class being step 2's pairing rule (what counts as a present prediction is
    decided by the data, see :func:`~.avis_data.load_results`):

    * ``'aviseval'``: AVISM's rule literally. Every predicted track is present
      in every frame (AVISM writes an empty RLE where it is absent), so
      :math:`P_t` is all tracks and a no-source frame is correct only when
      the video has no prediction. Single source: the GT track's file index
      k is looked up among the *matched prediction indices* and the
      prediction at the position found is compared (AVISM's indexing: the
      matched prediction when GT k is matched to prediction k, or two are
      swapped; no such pair means wrong). Multiple sources: every pair of
      :math:`M` is checked, GT tracks taken by their relabelled index into
      the file-order list; an absent GT needs an empty prediction (AVISM
      knows it only as the literal RLE of an empty 720x1280 mask; here an
      empty mask of any size).
    * ``'strict'``: empty masks are absences (the data hold only non-empty
      predictions). A frame with sources is correct iff every GT track
      present in it is matched to a prediction present in it, of the same
      class, with :math:`\mathrm{IoU} > \alpha` (pairs absent from the frame
      on both sides do not concern it).

    ``eval_sequence`` takes the all-class data of one video from
    :func:`~.avis_data.build_raw_sequence`.
    """

    def __init__(self, config: Optional[dict] = None):
        super().__init__()
        config = dict(config or {})
        self.protocol = config.get('PROTOCOL', 'strict')
        if self.protocol not in PROTOCOLS:
            raise ValueError(f'FSLA PROTOCOL must be one of {PROTOCOLS}, '
                             f'got {self.protocol!r}.')
        # np.arange as AVISM has it, so the thresholds are the same floats.
        self.array_labels = np.arange(0.05, 0.99, 0.05)
        self.integer_array_fields = [
            'n_all', 'n_tp', 's_all', 's_tp', 'm_all', 'm_tp'
        ]
        self.float_array_fields = ['FA', 'FAn', 'FAs', 'FAm']
        self.float_fields = ['FSLA']
        self.fields = (self.float_array_fields + self.integer_array_fields +
                       self.float_fields)
        self.summary_fields = self.float_array_fields + self.float_fields

    # ------------------------------------------------------------------
    @staticmethod
    def match_tracks(gt_ids: List[np.ndarray], tracker_ids: List[np.ndarray],
                     similarity_scores: List[np.ndarray], num_gt: int,
                     num_tracker: int) -> Tuple[np.ndarray, np.ndarray]:
        """Hungarian matching of GT and predicted tracks on HOTA's global
        alignment score; ids are relabelled (0..n-1). Returns (rows, cols)."""
        potential = np.zeros((num_gt, num_tracker))
        gt_count = np.zeros((num_gt, 1))
        tr_count = np.zeros((1, num_tracker))
        for g, p, sim in zip(gt_ids, tracker_ids, similarity_scores):
            denom = sim.sum(0)[np.newaxis, :] + sim.sum(1)[:, np.newaxis] - sim
            sim_iou = np.zeros_like(sim)
            ok = denom > 0 + np.finfo('float').eps
            sim_iou[ok] = sim[ok] / denom[ok]
            potential[g[:, np.newaxis], p[np.newaxis, :]] += sim_iou
            gt_count[g] += 1
            tr_count[0, p] += 1
        score = potential / (gt_count + tr_count - potential)
        return linear_sum_assignment(-score)

    def _frame_score(self, data: dict, t: int, gt_ids_t: np.ndarray,
                     tracker_ids_t: np.ndarray, rows: np.ndarray,
                     cols: np.ndarray) -> float:
        """The frame is correct at alpha iff the returned value > alpha
        (-inf: never, +inf: always). ``*_ids_t``: relabelled ids in t."""
        gt_classes = data['gt_classes'][t]
        tr_classes = data['tracker_classes'][t]
        num_nonempty = int((~data['tracker_empty'][t]).sum())
        if set(gt_classes.tolist()) != set(tr_classes.tolist()) or \
                len(gt_classes) != num_nonempty:
            return -np.inf
        if len(gt_classes) == 0:
            return np.inf
        sim = data['similarity_scores'][t]
        if self.protocol == 'strict':
            return self._strict_pairs(data, t, gt_ids_t, tracker_ids_t, rows,
                                      cols, sim)
        if len(gt_classes) == 1:
            return self._aviseval_single(data, t, cols, sim)
        return self._aviseval_multi(data, t, rows, cols, sim)

    @staticmethod
    def _strict_pairs(data, t, gt_ids_t, tracker_ids_t, rows, cols,
                      sim) -> float:
        match = dict(zip(rows.tolist(), cols.tolist()))
        tracker_pos = {p: j for j, p in enumerate(tracker_ids_t.tolist())}
        worst = np.inf
        for i, g in enumerate(gt_ids_t.tolist()):
            j = tracker_pos.get(match.get(g, -1))
            if j is None or (data['gt_classes'][t][i] !=
                             data['tracker_classes'][t][j]):
                return -np.inf
            worst = min(worst, sim[i, j])
        return worst

    @staticmethod
    def _aviseval_single(data, t, cols, sim) -> float:
        # AVISM: index_gt = file index of the present GT track; the pair
        # whose *column* equals it gives the prediction's position.
        index_gt = int(data['gt_track_index'][t][0])
        pos = np.flatnonzero(cols == index_gt)
        if len(pos) == 0 or pos[0] >= sim.shape[1]:
            return -np.inf
        return sim[0, pos[0]]

    @staticmethod
    def _aviseval_multi(data, t, rows, cols, sim) -> float:
        raw_dets = data['raw_gt_dets'][t]
        raw_classes = data['raw_gt_classes'][t]
        present = data['gt_track_index'][t].tolist()
        worst = np.inf
        for r, c in zip(rows.tolist(), cols.tolist()):
            # AVISM indexes the file-order GT lists with the relabelled row.
            if raw_classes[r] != data['tracker_classes'][t][c]:
                return -np.inf
            if raw_dets[r] is None:
                if not data['tracker_empty'][t][c]:
                    return -np.inf
            else:
                worst = min(worst, sim[present.index(r), c])
        return worst

    # ------------------------------------------------------------------
    def eval_sequence(self, data: dict) -> Dict[str, np.ndarray]:
        """Per-threshold counts of frames (all / correct) by frame type."""
        gt_ids, num_gt = relabel_ids(data['gt_ids'])
        tracker_ids, num_tracker = relabel_ids(data['tracker_ids'])
        rows, cols = self.match_tracks(gt_ids, tracker_ids,
                                       data['similarity_scores'], num_gt,
                                       num_tracker)
        res = {f: np.zeros(len(self.array_labels), dtype=int)
               for f in self.integer_array_fields}
        for t in range(data['num_timesteps']):
            n_src = len(data['gt_ids'][t])
            kind = 'n' if n_src == 0 else ('s' if n_src == 1 else 'm')
            score = self._frame_score(data, t, gt_ids[t], tracker_ids[t],
                                      rows, cols)
            res[kind + '_all'] += 1
            res[kind + '_tp'] += score > self.array_labels
        return res

    def combine_sequences(self, all_res: Dict[str, dict]) -> dict:
        """Pool frames over sequences (AVISM's ``combine_av_loc_sequences``)
        and average over thresholds."""
        res = {f: self._combine_sum(all_res, f)
               for f in self.integer_array_fields}
        with np.errstate(invalid='ignore', divide='ignore'):
            for kind in 'nsm':
                res['FA' + kind] = res[kind + '_tp'] / np.where(
                    res[kind + '_all'] > 0, res[kind + '_all'], np.nan)
            total = res['n_all'] + res['s_all'] + res['m_all']
            res['FA'] = (res['n_tp'] + res['s_tp'] + res['m_tp']) / np.where(
                total > 0, total, np.nan)
        res['FSLA'] = float(np.mean(res['FA']))
        return res

    def combine_classes_class_averaged(self, all_res,
                                       ignore_empty_classes=False):
        raise NotImplementedError(
            'FSLA is class-agnostic: it is evaluated once per video over all '
            'classes; combine sequences only.')

    def combine_classes_det_averaged(self, all_res):
        raise NotImplementedError(
            'FSLA is class-agnostic: it is evaluated once per video over all '
            'classes; combine sequences only.')
