# Copyright (c) seavis_mm contributors. All rights reserved.
"""The sound-aware online tracker of SeaVIS (docs/en/advanced_guides/
data_flow.md, "Model").

Per frame: pick candidate queries by score, match them to the track memory
by Hungarian assignment on the cosine similarity of identity embeddings
(MinVIS / CTVIS style; the instance embeddings when the model has no
separate identity embedding; optionally plus the mask IoU with the track's
last mask, ``mask_iou_weight``), update matched tracks by momentum (only from
confident matches, when configured), birth new tracks, keep lost tracks for a
few frames (longer for tracks last seen silent, when configured), and finally
output only the tracked candidates whose track is sounding
(:meth:`_sound_gate`): the per-query sounding score (a probability from the
head, or the cosine with the audio anchor) smoothed per track.

Every candidate takes part in association, sounding or silent: a visible but
silent object keeps its track alive, which is what lets an instance that goes
quiet and sounds again keep its id.
"""
from typing import Dict, List, Optional, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from mmdet.models.trackers import BaseTracker
from mmengine.structures import InstanceData
from scipy.optimize import linear_sum_assignment
from torch import Tensor

from seavis_mm.models.layers.mask_iou import mask_iou_matrix
from seavis_mm.registry import MODELS


@MODELS.register_module()
class SoundAwareTracker(BaseTracker):
    """Online association of instance embeddings with a sound gate.

    The track memory is kept as stacked tensors (one row per live track)
    rather than :class:`BaseTracker`'s dict of lists, so that a frame costs a
    handful of tensor ops and one ``linear_sum_assignment`` whatever the
    number of tracks (well under 1 ms for 100 queries and 50 tracks; see
    ``tools/analysis_tools/benchmark_tracker.py``).

    Args:
        score_thr (float): A query is a candidate (takes part in association)
            when its score is above this. Defaults to 0.3.
        init_score_thr (float): An unmatched candidate starts a new track when
            its score is above this; below it, it is neither tracked nor
            output. Defaults to 0.5.
        match_thr (float): A Hungarian match between a candidate and a track
            is accepted only when their cosine similarity is above this.
            Defaults to 0.5.
        momentums (dict, optional): ``dict(embeds=m)``: a matched track's
            embedding becomes ``normalize((1 - m) * old + m * new)`` (mmdet's
            :class:`BaseTracker` convention: ``m`` weighs the new
            observation; ``m=1`` is MinVIS's "use the last frame").
            Defaults to ``dict(embeds=0.5)``.
        momentum (float, optional): Shorthand for
            ``momentums=dict(embeds=momentum)``; overrides ``momentums``.
            Defaults to None.
        num_frames_retain (int): A track missed (no matched candidate) for up
            to this many consecutive frames is kept and can still be matched;
            one more missed frame drops it. Defaults to 10.
        mask_nms_thr (float, optional): When set, candidates whose mask IoU
            with a higher-scored candidate is above this are dropped before
            association (Mask2Former queries sometimes fire twice on one
            object). ``None`` disables it. Defaults to None.
        sound_gate (bool): Whether to suppress silent instances (see
            :meth:`_sound_gate`). Defaults to True.
        sound_thr (float): Without sounding probabilities, a tracked
            candidate is output only when the cosine of its embedding with
            the frame's audio anchor (smoothed per track) is above this.
            Defaults to 0.0.
        sound_prob_thr (float): With sounding probabilities (``sound_probs``
            of :meth:`track`, calibrated by training), the threshold on the
            track's smoothed probability. Defaults to 0.5.
        sound_momentum (float): Per-track smoothing of the sounding score:
            ``s <- (1 - m) * s + m * s_t`` at each match; 1 decides on the
            current frame alone. Defaults to 1.0.
        update_sim_thr (float, optional): A match updates the track's
            embedding memory only when its cosine similarity is above this
            (an unconfident match keeps the id but does not drift the
            memory). None: every accepted match updates. Defaults to None.
        update_score_thr (float, optional): Likewise, only candidates scored
            above this update the memory. Defaults to None.
        use_identity (bool): Associate on ``id_embeds`` when :meth:`track`
            gets them; False associates on ``embeds`` (an evaluation-only
            ablation). Defaults to True.
        use_sound_probs (bool): Gate on ``sound_probs`` when :meth:`track`
            gets them; False gates on the anchor cosine (``sound_thr``), an
            evaluation-only ablation. Defaults to True.
        num_frames_retain_silent (int, optional): Retain window for tracks
            whose sounding state was silent when last matched (an object that
            went quiet may stay undetected longer than one that left);
            None: ``num_frames_retain`` for every track. Defaults to None.
        mask_iou_weight (float): Weight ``w`` of where the object is in the
            association: a candidate and a track are scored
            ``cos + w * IoU(mask, track's last mask)``, the Hungarian
            assignment maximises it and a pair is accepted when it is above
            ``match_thr``. Two look-alikes get nearly the same embedding, and
            a query-location model draws one object with different queries
            from frame to frame; their masks tell them apart. As the
            ``iou`` term of mmdet's :class:`MaskTrackRCNNTracker`, on masks
            (max-pooled to at most :attr:`IOU_GRID` pixels a side, so a
            frame costs one small matrix product at any resolution).
            0 associates on the embedding alone. Defaults to 0.
    """

    #: longest side of the masks the association's IoU is computed on
    IOU_GRID = 64

    def __init__(self,
                 score_thr: float = 0.3,
                 init_score_thr: float = 0.5,
                 match_thr: float = 0.5,
                 momentums: Optional[dict] = dict(embeds=0.5),
                 momentum: Optional[float] = None,
                 num_frames_retain: int = 10,
                 mask_nms_thr: Optional[float] = None,
                 sound_gate: bool = True,
                 sound_thr: float = 0.0,
                 sound_prob_thr: float = 0.5,
                 sound_momentum: float = 1.0,
                 update_sim_thr: Optional[float] = None,
                 update_score_thr: Optional[float] = None,
                 num_frames_retain_silent: Optional[int] = None,
                 use_identity: bool = True,
                 use_sound_probs: bool = True,
                 mask_iou_weight: float = 0.0,
                 **kwargs) -> None:
        if momentum is not None:
            momentums = dict(embeds=momentum)
        momentums = dict(momentums) if momentums is not None else dict()
        unknown = set(momentums) - {'embeds'}
        if unknown:
            raise ValueError(
                f'SoundAwareTracker: momentums has unknown keys {unknown}; '
                'only "embeds" is updated by momentum.')
        m = float(momentums.setdefault('embeds', 1.0))
        if not 0.0 < m <= 1.0:
            raise ValueError(
                f'SoundAwareTracker: momentums["embeds"] must be in (0, 1], '
                f'got {m}.')
        if init_score_thr < score_thr:
            raise ValueError(
                f'SoundAwareTracker: init_score_thr ({init_score_thr}) must '
                f'be >= score_thr ({score_thr}): only candidates can start '
                'tracks.')
        for name, value in (('num_frames_retain', num_frames_retain),
                            ('num_frames_retain_silent',
                             num_frames_retain_silent)):
            if value is not None and value < 0:
                raise ValueError(f'SoundAwareTracker: {name} must be >= 0, '
                                 f'got {value}.')
        if mask_iou_weight < 0:
            raise ValueError('SoundAwareTracker: mask_iou_weight must be '
                             f'>= 0, got {mask_iou_weight}.')
        if not 0.0 < sound_momentum <= 1.0:
            raise ValueError('SoundAwareTracker: sound_momentum must be in '
                             f'(0, 1], got {sound_momentum}.')
        self.score_thr = float(score_thr)
        self.init_score_thr = float(init_score_thr)
        self.match_thr = float(match_thr)
        self.mask_nms_thr = mask_nms_thr
        self.sound_gate = bool(sound_gate)
        self.sound_thr = float(sound_thr)
        self.sound_prob_thr = float(sound_prob_thr)
        self.sound_momentum = float(sound_momentum)
        self.update_sim_thr = update_sim_thr
        self.update_score_thr = update_score_thr
        self.use_identity = bool(use_identity)
        self.use_sound_probs = bool(use_sound_probs)
        self.mask_iou_weight = float(mask_iou_weight)
        self.num_frames_retain_silent = num_frames_retain_silent \
            if num_frames_retain_silent is not None else num_frames_retain
        super().__init__(
            momentums=momentums, num_frames_retain=num_frames_retain,
            **kwargs)

    # ------------------------------------------------------------------
    # memory
    # ------------------------------------------------------------------
    def reset(self) -> None:
        """Empty the memory; ids restart from 0.

        ``num_tracks`` follows :class:`BaseTracker`: the number of ids issued
        in this stream (the next id). ``num_live_tracks`` is the memory size.
        """
        self.num_tracks = 0
        self._ids = torch.zeros(0, dtype=torch.long)
        self._embeds = torch.zeros(0, 0)
        self._labels = torch.zeros(0, dtype=torch.long)
        self._scores = torch.zeros(0)
        self._last_frame = torch.zeros(0, dtype=torch.long)
        # smoothed sounding score, and whether the track was silent when
        # last matched
        self._sound = torch.zeros(0)
        self._silent = torch.zeros(0, dtype=torch.bool)
        # last matched mask, pooled (mask_iou_weight > 0 only)
        self._masks = torch.zeros(0, 0, 0, dtype=torch.bool)

    _STATE = ('_ids', '_embeds', '_labels', '_scores', '_last_frame',
              '_sound', '_silent', '_masks')

    @property
    def num_live_tracks(self) -> int:
        """Number of tracks in memory (dropped tracks are removed)."""
        return int(self._ids.numel())

    @property
    def empty(self) -> bool:
        """Whether the memory holds no track."""
        return self.num_live_tracks == 0

    @property
    def ids(self) -> List[int]:
        """Ids of the tracks in memory."""
        return self._ids.tolist()

    @property
    def tracks(self) -> Dict[int, dict]:
        """A read-only view of the memory, ``{id: dict(embeds, labels,
        scores, frame_ids, sound, silent)}`` (frame_ids: the last frame it
        was matched; sound: its smoothed sounding score; silent: whether it
        was silent then)."""
        return {
            int(i): dict(
                embeds=self._embeds[r],
                labels=int(self._labels[r]),
                scores=float(self._scores[r]),
                frame_ids=int(self._last_frame[r]),
                sound=float(self._sound[r]),
                silent=bool(self._silent[r]))
            for r, i in enumerate(self._ids.tolist())
        }

    @tracks.setter
    def tracks(self, value: dict) -> None:
        # BaseTracker.__init__/reset assign ``self.tracks = dict()``; only an
        # empty memory can be set this way.
        if value:
            raise AttributeError('SoundAwareTracker.tracks is a read-only '
                                 'view of the memory; use track()/reset().')
        self.reset()

    # ------------------------------------------------------------------
    # one frame
    # ------------------------------------------------------------------
    def track(self,
              frame_id: int,
              embeds: Tensor,
              scores: Tensor,
              labels: Tensor,
              masks: Tensor,
              audio_anchor: Optional[Tensor] = None,
              id_embeds: Optional[Tensor] = None,
              sound_probs: Optional[Tensor] = None) -> InstanceData:
        """Associate one frame's queries with the tracks and output the
        tracked, sounding ones.

        Args:
            frame_id (int): Index of the frame in the stream; 0 resets.
            embeds (Tensor): ``(Q, D)`` L2-normalised instance embeddings.
            scores (Tensor): ``(Q, )`` query scores.
            labels (Tensor): ``(Q, )`` query labels (0-based).
            masks (Tensor): ``(Q, H, W)`` bool masks.
            audio_anchor (Tensor, optional): ``(D, )`` L2-normalised audio
                anchor of this frame; ``None`` (and no ``sound_probs``): no
                sound gate.
            id_embeds (Tensor, optional): ``(Q, D_id)`` identity embeddings
                to associate on instead of ``embeds``.
            sound_probs (Tensor, optional): ``(Q, )`` per-query sounding
                probabilities; when given the gate uses them (threshold
                ``sound_prob_thr``) instead of the cosine with the anchor.

        Returns:
            :obj:`InstanceData`: the instances to output this frame, sorted
            by id, with ``masks`` (bool ``(n, H, W)``), ``labels``,
            ``scores``, ``instances_id`` (long) and ``sound_scores`` (the
            track's smoothed sounding score: probability, or cosine of
            embedding and anchor; 1 when there is neither).
        """
        if frame_id == 0:
            self.reset()
        self._check_inputs(embeds, scores, labels, masks, audio_anchor,
                           id_embeds, sound_probs)
        if not self.use_identity:
            id_embeds = None
        if not self.use_sound_probs:
            sound_probs = None
        # the memory must never hold an autograd graph across frames
        embeds, scores, labels, masks = (embeds.detach(), scores.detach(),
                                         labels.detach(), masks.detach())
        if audio_anchor is not None:
            audio_anchor = audio_anchor.detach()
        device = embeds.device
        if self._ids.device != device:
            self._to(device)

        cand = self.select_candidates(scores, masks)
        c_embeds = F.normalize(embeds[cand].float(), dim=1)
        c_scores = scores[cand].float()
        c_labels = labels[cand].long()
        # what association compares: identity if the model has it
        c_assoc = c_embeds if id_embeds is None else F.normalize(
            id_embeds.detach()[cand].float(), dim=1)
        c_sound, gate_thr = self.frame_sounding(
            c_embeds, audio_anchor,
            None if sound_probs is None else sound_probs.detach()[cand])

        c_grid = self._pooled(masks[cand])

        # 1. associate every candidate, sounding or silent
        rows, cols, sims = self._match(c_assoc, c_grid)
        c_ids = torch.full((cand.numel(), ), -1, dtype=torch.long,
                           device=device)
        c_ids[rows] = self._ids[cols]
        self._update_tracks(cols, c_assoc[rows], c_labels[rows],
                            c_scores[rows], c_sound[rows], sims, frame_id,
                            c_grid[rows])

        # 2. birth
        unmatched = c_ids < 0
        born = unmatched & (c_scores > self.init_score_thr)
        if bool(born.any()):
            c_ids[born] = self._init_tracks(c_assoc[born], c_labels[born],
                                            c_scores[born], c_sound[born],
                                            frame_id, c_grid[born])

        # 3. suppress silent instances (decided per track)
        audible, sound_scores = self._sound_gate(c_ids, c_sound, gate_thr)

        # 4. forget tracks lost for too long
        self._pop_invalid_tracks(frame_id)

        out = torch.nonzero((c_ids >= 0) & audible).squeeze(1)
        out = out[torch.argsort(c_ids[out])]

        results = InstanceData()
        results.masks = masks[cand[out]].bool()
        results.labels = c_labels[out]
        results.scores = c_scores[out]
        results.instances_id = c_ids[out]
        results.sound_scores = sound_scores[out]
        return results

    def select_candidates(self, scores: Tensor, masks: Tensor) -> Tensor:
        """Indices of the candidate queries, highest score first: those
        above ``score_thr`` that the mask NMS keeps (analyses of recorded
        frames call it too, ``seavis_mm.evaluation.tracker_recording``)."""
        cand = torch.nonzero(scores > self.score_thr).squeeze(1)
        cand = cand[torch.argsort(scores[cand], descending=True)]
        if self.mask_nms_thr is not None and cand.numel() > 1:
            cand = cand[self._mask_nms(masks[cand])]
        return cand

    def _mask_nms(self, masks: Tensor) -> Tensor:
        """Greedy NMS on mask IoU; ``masks`` are sorted by score. Returns the
        indices to keep."""
        over = (mask_iou_matrix(masks, masks) >
                self.mask_nms_thr).cpu().numpy()
        keep = np.ones(len(masks), dtype=bool)
        for i in range(len(masks)):
            if keep[i]:
                # suppress the lower-scored duplicates of a kept mask
                keep[i + 1:] &= ~over[i, i + 1:]
        return torch.from_numpy(np.nonzero(keep)[0]).to(masks.device)

    def _pooled(self, masks: Tensor) -> Tensor:
        """The masks the association's IoU uses: max-pooled to at most
        :attr:`IOU_GRID` pixels a side (a pooled pixel is set when any of
        its pixels is, so small objects survive); empty ``[n, 0, 0]``
        without ``mask_iou_weight``."""
        if self.mask_iou_weight == 0:
            return masks.new_zeros((masks.shape[0], 0, 0), dtype=torch.bool)
        h, w = masks.shape[-2:]
        scale = max(h, w) / self.IOU_GRID
        if scale <= 1 or masks.shape[0] == 0:
            return masks.bool()
        size = (max(1, round(h / scale)), max(1, round(w / scale)))
        return F.adaptive_max_pool2d(masks.float()[:, None],
                                     size)[:, 0].bool()

    def _match(self, c_embeds: Tensor,
               c_grid: Optional[Tensor] = None
               ) -> Tuple[Tensor, Tensor, Tensor]:
        """Hungarian assignment of candidates to tracks on cosine
        similarity, plus ``mask_iou_weight`` times the IoU of the
        candidate's mask with the track's last one (``c_grid``: the
        candidates' :meth:`_pooled` masks).

        Returns:
            tuple[Tensor, Tensor, Tensor]: candidate indices, the memory rows
            they are matched to and their cosine similarities (what
            ``update_sim_thr`` reads), for the pairs scored above
            ``match_thr``.
        """
        device = c_embeds.device
        if c_embeds.shape[0] == 0 or self.empty:
            empty = torch.zeros(0, dtype=torch.long, device=device)
            return empty, empty, c_embeds.new_zeros(0)
        cos = c_embeds @ self._embeds.t()
        score = cos
        if (self.mask_iou_weight > 0 and c_grid is not None
                and c_grid.shape[1:] == self._masks.shape[1:]):
            # a track from a frame of another size has no IoU term
            score = cos + self.mask_iou_weight * mask_iou_matrix(
                c_grid, self._masks)
        score = score.cpu().numpy()
        rows, cols = linear_sum_assignment(score, maximize=True)
        ok = score[rows, cols] > self.match_thr
        rows, cols = (torch.from_numpy(rows[ok]).to(device),
                      torch.from_numpy(cols[ok]).to(device))
        return rows, cols, cos[rows, cols]

    def _update_tracks(self,
                       mem_rows: Tensor,
                       embeds: Tensor,
                       labels: Tensor,
                       scores: Tensor,
                       sound: Tensor,
                       sims: Tensor,
                       frame_id: int,
                       grid: Optional[Tensor] = None) -> None:
        """Update the matched tracks: the embedding memory by momentum, from
        confident matches only (``update_sim_thr`` / ``update_score_thr``);
        the sounding score by ``sound_momentum``; label, score and last-seen
        frame become this frame's."""
        if mem_rows.numel() == 0:
            return
        confident = torch.ones_like(sims, dtype=torch.bool)
        if self.update_sim_thr is not None:
            confident &= sims > self.update_sim_thr
        if self.update_score_thr is not None:
            confident &= scores > self.update_score_thr
        m = self.momentums['embeds']
        upd = mem_rows[confident]
        mixed = (1 - m) * self._embeds[upd] + m * embeds[confident]
        self._embeds[upd] = F.normalize(mixed, dim=1)
        ms = self.sound_momentum
        self._sound[mem_rows] = (1 - ms) * self._sound[mem_rows] + ms * sound
        self._labels[mem_rows] = labels
        self._scores[mem_rows] = scores
        self._last_frame[mem_rows] = frame_id
        if grid is not None and self.mask_iou_weight > 0:
            self._fit_mask_memory(grid)
            self._masks[mem_rows] = grid

    def _init_tracks(self,
                     embeds: Tensor,
                     labels: Tensor,
                     scores: Tensor,
                     sound: Tensor,
                     frame_id: int,
                     grid: Optional[Tensor] = None) -> Tensor:
        """Start one track per row; returns their new (consecutive) ids."""
        n = embeds.shape[0]
        device = embeds.device
        new_ids = torch.arange(
            self.num_tracks, self.num_tracks + n, device=device)
        self.num_tracks += n
        if self._embeds.numel() == 0:
            self._embeds = embeds.new_zeros((0, embeds.shape[1]))
        self._ids = torch.cat([self._ids, new_ids])
        self._embeds = torch.cat([self._embeds, embeds])
        self._labels = torch.cat([self._labels, labels])
        self._scores = torch.cat([self._scores, scores])
        self._last_frame = torch.cat([
            self._last_frame,
            torch.full((n, ), frame_id, dtype=torch.long, device=device)
        ])
        self._sound = torch.cat([self._sound, sound])
        self._silent = torch.cat([
            self._silent,
            torch.zeros(n, dtype=torch.bool, device=device)
        ])
        if grid is None:
            grid = torch.zeros((n, 0, 0), dtype=torch.bool, device=device)
        self._fit_mask_memory(grid)
        self._masks = torch.cat([self._masks.to(device), grid])
        return new_ids

    def _fit_mask_memory(self, grid: Tensor) -> None:
        """Give the mask memory the pooled size of ``grid``: at the first
        tracks or when the frame size changes, the older masks cannot be
        compared and are emptied (those tracks have no IoU term until they
        are matched again)."""
        if self._masks.shape[1:] != grid.shape[1:]:
            self._masks = self._masks.new_zeros(
                (self._masks.shape[0], ) + tuple(grid.shape[1:]))

    def _pop_invalid_tracks(self, frame_id: int) -> None:
        """Drop the tracks missed for more than ``num_frames_retain``
        consecutive frames (``num_frames_retain_silent`` for tracks silent
        when last matched), so the memory stays bounded."""
        retain = torch.where(
            self._silent,
            torch.full_like(self._last_frame, self.num_frames_retain_silent),
            torch.full_like(self._last_frame, self.num_frames_retain))
        alive = (frame_id - self._last_frame) <= retain
        if bool(alive.all()):
            return
        for name in self._STATE:
            setattr(self, name, getattr(self, name)[alive])

    def pop_invalid_tracks(self, frame_id: int) -> None:
        """mmdet's name for :meth:`_pop_invalid_tracks`."""
        self._pop_invalid_tracks(frame_id)

    def frame_sounding(self, embeds: Tensor, audio_anchor: Optional[Tensor],
                       sound_probs: Optional[Tensor]
                       ) -> Tuple[Tensor, Optional[float]]:
        """This frame's per-query sounding score and the gate's threshold
        on it, as :meth:`track` decides (analyses of recorded frames call
        it too, ``seavis_mm.evaluation.tracker_recording``).

        Args:
            embeds (Tensor): ``(n, D)`` L2-normalised embeddings.
            audio_anchor (Tensor, optional): ``(D, )`` audio anchor.
            sound_probs (Tensor, optional): ``(n, )`` sounding
                probabilities (ignored with ``use_sound_probs=False``).

        Returns:
            tuple: the scores (the head's probability when given, else the
            cosine of the embedding with the audio anchor, else 1) and the
            threshold (``sound_prob_thr`` for probabilities, ``sound_thr``
            for cosines; None when nothing is gated: no audio, or
            ``sound_gate=False``).
        """
        if not self.use_sound_probs:
            sound_probs = None
        if sound_probs is not None:
            scores, thr = sound_probs.float(), self.sound_prob_thr
        elif audio_anchor is not None:
            anchor = F.normalize(audio_anchor.float().reshape(-1), dim=0)
            scores, thr = embeds @ anchor, self.sound_thr
        else:
            scores, thr = embeds.new_ones(embeds.shape[0]), None
        return scores, thr if self.sound_gate else None

    def _sound_gate(self, c_ids: Tensor, c_sound: Tensor,
                    thr: Optional[float]) -> Tuple[Tensor, Tensor]:
        """The sound-aware step: which tracked candidates are sounding.

        A tracked candidate is output only when its track's smoothed
        sounding score (:meth:`_update_tracks`) is above ``thr``
        (:meth:`frame_sounding`), however confident its mask; it is still
        tracked, and its track is marked silent (for
        ``num_frames_retain_silent``). With ``thr=None`` (no audio, or
        ``sound_gate=False``) every candidate passes (MinVIS-style output).

        Returns:
            tuple[Tensor, Tensor]: ``audible`` (bool, per candidate) and
            ``sound_scores`` (the tracks' smoothed scores; this frame's for
            untracked candidates).
        """
        tracked = c_ids >= 0
        rows = self._rows_of(c_ids[tracked])
        sound = c_sound.clone()
        sound[tracked] = self._sound[rows]
        if thr is None:
            return torch.ones_like(sound, dtype=torch.bool), sound
        audible = sound > thr
        self._silent[rows] = ~audible[tracked]
        return audible, sound

    def _rows_of(self, ids: Tensor) -> Tensor:
        """Memory rows of track ids (every id must be in memory)."""
        order = torch.argsort(self._ids)
        pos = torch.searchsorted(self._ids[order], ids)
        return order[pos]

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------
    def _to(self, device: torch.device) -> None:
        for name in self._STATE:
            setattr(self, name, getattr(self, name).to(device))

    def _check_inputs(self,
                      embeds: Tensor,
                      scores: Tensor,
                      labels: Tensor,
                      masks: Tensor,
                      audio_anchor: Optional[Tensor],
                      id_embeds: Optional[Tensor] = None,
                      sound_probs: Optional[Tensor] = None) -> None:
        if embeds.dim() != 2:
            raise ValueError('SoundAwareTracker.track: embeds must be (Q, D), '
                             f'got shape {tuple(embeds.shape)}.')
        q, d = embeds.shape
        for name, t, ndim in (('scores', scores, 1), ('labels', labels, 1),
                              ('masks', masks, 3), ('id_embeds', id_embeds, 2),
                              ('sound_probs', sound_probs, 1)):
            if t is not None and (t.dim() != ndim or t.shape[0] != q):
                raise ValueError(
                    f'SoundAwareTracker.track: {name} must have {ndim} dims '
                    f'and {q} rows (one per query), got shape '
                    f'{tuple(t.shape)}.')
        d_assoc = d if id_embeds is None else id_embeds.shape[1]
        if self._embeds.numel() and self._embeds.shape[1] != d_assoc:
            raise ValueError(
                f'SoundAwareTracker.track: embedding size changed within a '
                f'stream ({self._embeds.shape[1]} -> {d_assoc}); call '
                'reset() or '
                'start the stream at frame_id 0.')
        if audio_anchor is not None and audio_anchor.numel() != d:
            raise ValueError(
                'SoundAwareTracker.track: audio_anchor must have D='
                f'{d} values like the embeddings, got shape '
                f'{tuple(audio_anchor.shape)}.')
