# Copyright (c) seavis_mm contributors. All rights reserved.
"""Reading AVISeg ground truth and AVIS results into trackeval's data dicts.

The preparation follows AVISM's evaluator, ``aviseval/datasets/avis.py``
(class ``AVIS``: ``_prepare_gt_annotations``, ``_get_tracker_seq_tracks``,
``_load_raw_file``, ``get_preprocessed_seq_data``) and trackeval's
``_BaseDataset.get_raw_seq_data`` (similarities = mask IoU, pycocotools):

* a GT track's area is the mean of its non-null ``areas`` (computed from the
  masks when the file has none), a predicted track's the mean of its
  non-empty mask areas;
* a track is present in frame t when its segmentation there is not null; an
  empty RLE is *present* for AVISM (every AVISM result has an RLE in every
  frame), which is the ``aviseval`` protocol; under ``strict`` an empty mask
  is an absence;
* per class, ids are relabelled to be contiguous and predicted tracks are
  sorted by score (stable) for TrackMAP.
"""
import json
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence, Union

import numpy as np

from .masks import RLE, empty_rle, mask_ious, rle_area, seg_to_rle

PROTOCOLS = ('strict', 'aviseval')


@dataclass
class AVISTrack:
    """One ground-truth or predicted track of a video.

    Attributes:
        id (int): Annotation id (GT) or running tracker id (prediction).
        category_id (int): Dataset category id.
        segmentations (list): One compressed RLE or ``None`` per frame.
        area (float): Mean area over the frames where the track is present
            (AVISM's track area, used by TrackMAP's area ranges).
        iscrowd (int): GT crowd flag (ignored by TrackMAP).
        score (float): Prediction confidence (GT: 1).
    """
    id: int
    category_id: int
    segmentations: List[Optional[RLE]]
    area: float
    iscrowd: int = 0
    score: float = 1.0


@dataclass
class AVISVideo:
    """A GT video: its size, length and GT tracks (file order)."""
    id: int
    name: str
    length: int
    height: int
    width: int
    tracks: List[AVISTrack] = field(default_factory=list)


@dataclass
class AVISGroundTruth:
    """Ground truth of a split: videos (file order) and categories."""
    videos: Dict[int, AVISVideo]
    categories: List[dict]

    @property
    def cat_ids(self) -> List[int]:
        return [c['id'] for c in self.categories]


def _load_json(obj: Union[str, dict, list], what: str):
    if isinstance(obj, str):
        with open(obj) as f:
            return json.load(f), obj
    return obj, f'<{what}>'


def _require(d: dict, key: str, where: str):
    if not isinstance(d, dict) or key not in d:
        raise ValueError(f"{where}: missing field '{key}'.")
    return d[key]


def _mean_nonzero(values: Iterable) -> float:
    """AVISM: ``areas = [a for a in areas if a]``, mean, 0 if none."""
    values = [v for v in values if v]
    return float(np.mean(values)) if values else 0.0


def load_gt(gt: Union[str, dict, AVISGroundTruth]) -> AVISGroundTruth:
    """Read AVISeg ground truth (raw YouTube-VIS-style JSON).

    Args:
        gt (str | dict | AVISGroundTruth): Path to the JSON, or its loaded
            content: ``videos`` {id, file_names, length, height, width},
            ``annotations`` {id, video_id, category_id, segmentations[T]
            (compressed / uncompressed RLE, polygons or null), areas[T],
            iscrowd, height, width}, ``categories`` {id, name}. Ground
            truth read before is returned as it is, so callers that score
            several result files read it once.

    Returns:
        AVISGroundTruth: Masks as compressed RLEs.
    """
    if isinstance(gt, AVISGroundTruth):
        return gt
    data, src = _load_json(gt, 'ground truth')
    for key in ('videos', 'annotations', 'categories'):
        _require(data, key, src)
    categories = [
        dict(id=int(_require(c, 'id', f'{src}: categories[{i}]')),
             name=c.get('name', str(c['id'])))
        for i, c in enumerate(data['categories'])
    ]
    cat_ids = {c['id'] for c in categories}

    videos: Dict[int, AVISVideo] = {}
    for i, v in enumerate(data['videos']):
        where = f'{src}: videos[{i}]'
        vid = int(_require(v, 'id', where))
        file_names = v.get('file_names')
        length = v.get('length', len(file_names) if file_names else None)
        if length is None:
            raise ValueError(f"{where}: needs 'length' or 'file_names'.")
        if file_names and len(file_names) != length:
            raise ValueError(f"{where}: 'length' is {length} but "
                             f"'file_names' has {len(file_names)} entries.")
        # AVISM names a sequence by the folder of its first frame and
        # evaluates sequences in sorted name order.
        name = file_names[0].split('/')[0] if file_names else str(vid)
        if vid in videos:
            raise ValueError(f'{where}: duplicate video id {vid}.')
        videos[vid] = AVISVideo(vid, name, int(length),
                                int(_require(v, 'height', where)),
                                int(_require(v, 'width', where)))

    seen_ids = set()  # (video, id): a track id is unique in its video
    for i, ann in enumerate(data['annotations']):
        where = f'{src}: annotations[{i}]'
        vid = _require(ann, 'video_id', where)
        if vid not in videos:
            raise ValueError(f'{where}: video_id {vid} is not in videos.')
        video = videos[vid]
        cat = _require(ann, 'category_id', where)
        if cat not in cat_ids:
            raise ValueError(f'{where}: category_id {cat} is not in '
                             f'categories {sorted(cat_ids)}.')
        ann_id = int(_require(ann, 'id', where))
        if (vid, ann_id) in seen_ids:
            raise ValueError(f'{where}: duplicate annotation id {ann_id} in '
                             f'video {vid}.')
        seen_ids.add((vid, ann_id))
        segs = _require(ann, 'segmentations', where)
        if len(segs) != video.length:
            raise ValueError(f"{where}: 'segmentations' has {len(segs)} "
                             f'entries, the video has {video.length} frames.')
        rles = [
            seg_to_rle(s, video.height, video.width,
                       f'{where}: segmentations[{t}]')
            for t, s in enumerate(segs)
        ]
        areas = ann.get('areas')
        if areas is None or len(areas) != video.length:
            areas = [rle_area(r) for r in rles]
        video.tracks.append(
            AVISTrack(ann_id, int(cat), rles, _mean_nonzero(areas),
                      int(ann.get('iscrowd', 0))))
    return AVISGroundTruth(videos, categories)


def load_results(results: Union[str, list], gt: AVISGroundTruth,
                 protocol: str = 'strict') -> Dict[int, List[AVISTrack]]:
    """Read AVIS results (AVISM's format) for the videos of ``gt``.

    Each result is ``{video_id, score, category_id, segmentations}`` with one
    mask (RLE / polygons / null) per frame; a list shorter than the video
    means absent in the remaining frames.

    Args:
        results (str | list): Path to the results JSON or its content.
        gt (AVISGroundTruth): Gives the videos' length and size.
        protocol (str): ``'aviseval'`` writes every absence as the empty mask,
            as AVISM's result files have it (so a file with nulls scores as
            its AVISM twin does); ``'strict'`` writes every empty mask as an
            absence and leaves out tracks that are absent in every frame.

    Returns:
        dict: ``{video_id: [AVISTrack]}`` in file order (``id`` set to -1;
        the evaluator numbers the tracks).
    """
    if protocol not in PROTOCOLS:
        raise ValueError(f'protocol must be one of {PROTOCOLS}, got '
                         f'{protocol!r}.')
    data, src = _load_json(results, 'results')
    if not isinstance(data, list):
        raise ValueError(f'{src}: results must be a list of tracks, got '
                         f'{type(data).__name__}.')
    cat_ids = set(gt.cat_ids)
    tracks: Dict[int, List[AVISTrack]] = {vid: [] for vid in gt.videos}
    for i, res in enumerate(data):
        where = f'{src}: [{i}]'
        vid = _require(res, 'video_id', where)
        if vid not in gt.videos:
            raise ValueError(f'{where}: video_id {vid} is not in the ground '
                             'truth.')
        cat = _require(res, 'category_id', where)
        if cat not in cat_ids:
            raise ValueError(f'{where}: category_id {cat} is not in the '
                             f'ground-truth categories {sorted(cat_ids)}.')
        score = float(_require(res, 'score', where))
        segs = _require(res, 'segmentations', where)
        video = gt.videos[vid]
        if not isinstance(segs, list) or len(segs) > video.length:
            raise ValueError(f"{where}: 'segmentations' must be a list of at "
                             f'most {video.length} masks (the video length).')
        rles = [
            seg_to_rle(s, video.height, video.width,
                       f'{where}: segmentations[{t}]')
            for t, s in enumerate(segs)
        ]
        rles += [None] * (video.length - len(rles))
        areas = [rle_area(r) for r in rles]
        if protocol == 'aviseval':
            empty = empty_rle(video.height, video.width)
            rles = [empty if r is None else r for r in rles]
        else:
            rles = [r if a > 0 else None for r, a in zip(rles, areas)]
            if all(r is None for r in rles):
                continue  # absent everywhere: not a prediction
        tracks[vid].append(
            AVISTrack(-1, int(cat), rles, _mean_nonzero(areas), score=score))
    return tracks


def build_raw_sequence(video: AVISVideo, pred_tracks: Sequence[AVISTrack],
                       first_tracker_id: int) -> dict:
    """All-class data of one video (trackeval's ``get_raw_seq_data``).

    Per frame t (lists over frames): ``gt_ids``, ``gt_classes``, ``gt_dets``
    (present GT tracks, file order), ``gt_track_index`` (their index in
    ``video.tracks``), ``raw_gt_dets`` / ``raw_gt_classes`` (all GT tracks,
    null where absent: AVISM's ``raw_dets``/``raw_classes``),
    ``tracker_ids``, ``tracker_classes``, ``tracker_confidences``,
    ``tracker_dets``, ``tracker_empty`` (present predicted tracks) and
    ``similarity_scores`` (mask IoU, GT x tracker).

    Args:
        video (AVISVideo): The GT video.
        pred_tracks (Sequence[AVISTrack]): Its predicted tracks, already
            normalised by :func:`load_results` for the protocol.
        first_tracker_id (int): Id of the first predicted track; the tracks
            are numbered on from it, in order.

    Returns:
        dict: The raw sequence data, plus ``gt_tracks`` / ``tracker_tracks``.
    """
    gt_tracks = video.tracks
    tracker_tracks = [
        AVISTrack(first_tracker_id + k, tr.category_id, tr.segmentations,
                  tr.area, tr.iscrowd, tr.score)
        for k, tr in enumerate(pred_tracks)
    ]
    keys = ('gt_ids', 'gt_classes', 'gt_dets', 'gt_track_index',
            'raw_gt_dets', 'raw_gt_classes', 'tracker_ids',
            'tracker_classes', 'tracker_confidences', 'tracker_dets',
            'tracker_empty', 'similarity_scores')
    raw = {key: [] for key in keys}
    all_gt_classes = np.array([tr.category_id for tr in gt_tracks], int)
    for t in range(video.length):
        gt_idx = [k for k, tr in enumerate(gt_tracks)
                  if tr.segmentations[t] is not None]
        tr_idx = [k for k, tr in enumerate(tracker_tracks)
                  if tr.segmentations[t] is not None]
        gt_dets = [gt_tracks[k].segmentations[t] for k in gt_idx]
        tr_dets = [tracker_tracks[k].segmentations[t] for k in tr_idx]
        raw['gt_ids'].append(np.array([gt_tracks[k].id for k in gt_idx], int))
        raw['gt_classes'].append(all_gt_classes[gt_idx])
        raw['gt_dets'].append(gt_dets)
        raw['gt_track_index'].append(np.array(gt_idx, int))
        raw['raw_gt_dets'].append([tr.segmentations[t] for tr in gt_tracks])
        raw['raw_gt_classes'].append(all_gt_classes)
        raw['tracker_ids'].append(
            np.array([tracker_tracks[k].id for k in tr_idx], int))
        raw['tracker_classes'].append(
            np.array([tracker_tracks[k].category_id for k in tr_idx], int))
        raw['tracker_confidences'].append(
            np.array([tracker_tracks[k].score for k in tr_idx], float))
        raw['tracker_dets'].append(tr_dets)
        raw['tracker_empty'].append(
            np.array([rle_area(d) == 0 for d in tr_dets], bool))
        raw['similarity_scores'].append(mask_ious(gt_dets, tr_dets))
    raw['num_timesteps'] = video.length
    raw['seq'] = video.name
    raw['gt_tracks'] = gt_tracks
    raw['tracker_tracks'] = tracker_tracks
    return raw


def relabel_ids(ids_per_frame: List[np.ndarray]) -> tuple:
    """Map ids to 0..n-1 in sorted order (trackeval's relabelling)."""
    non_empty = [ids for ids in ids_per_frame if len(ids)]
    unique = np.unique(np.concatenate(non_empty)) if non_empty else \
        np.zeros(0, int)
    return [np.searchsorted(unique, ids).astype(int)
            for ids in ids_per_frame], len(unique)


def class_sequence_data(raw: dict, cls_id: int) -> dict:
    """One class's data of one video, for trackeval's HOTA and TrackMAP.

    Mirrors ``AVIS.get_preprocessed_seq_data`` of AVISM's evaluator: keep the
    detections of the class, relabel ids to be contiguous, attach the track
    representations (``{frame: rle}``) with areas, crowd flags and scores,
    predicted tracks sorted by descending score (stable).
    """
    data = {key: [] for key in ('gt_ids', 'tracker_ids', 'gt_dets',
                                'tracker_dets', 'similarity_scores')}
    for t in range(raw['num_timesteps']):
        g = raw['gt_classes'][t] == cls_id
        p = raw['tracker_classes'][t] == cls_id
        data['gt_ids'].append(raw['gt_ids'][t][g])
        data['tracker_ids'].append(raw['tracker_ids'][t][p])
        data['gt_dets'].append(
            [d for d, keep in zip(raw['gt_dets'][t], g) if keep])
        data['tracker_dets'].append(
            [d for d, keep in zip(raw['tracker_dets'][t], p) if keep])
        data['similarity_scores'].append(
            raw['similarity_scores'][t][g, :][:, p])
    data['num_gt_dets'] = sum(len(ids) for ids in data['gt_ids'])
    data['num_tracker_dets'] = sum(len(ids) for ids in data['tracker_ids'])
    data['gt_ids'], data['num_gt_ids'] = relabel_ids(data['gt_ids'])
    data['tracker_ids'], data['num_tracker_ids'] = relabel_ids(
        data['tracker_ids'])
    data['num_timesteps'] = raw['num_timesteps']
    data['seq'] = raw['seq']

    gts = [tr for tr in raw['gt_tracks'] if tr.category_id == cls_id]
    dts = [tr for tr in raw['tracker_tracks'] if tr.category_id == cls_id]
    dts = [dts[i] for i in np.argsort([-tr.score for tr in dts],
                                      kind='mergesort')]
    data['gt_tracks'] = [dict(enumerate(tr.segmentations)) for tr in gts]
    data['gt_track_ids'] = [tr.id for tr in gts]
    data['gt_track_areas'] = [tr.area for tr in gts]
    data['gt_track_iscrowd'] = [tr.iscrowd for tr in gts]
    data['dt_tracks'] = [dict(enumerate(tr.segmentations)) for tr in dts]
    data['dt_track_ids'] = [tr.id for tr in dts]
    data['dt_track_areas'] = [tr.area for tr in dts]
    data['dt_track_scores'] = [tr.score for tr in dts]
    data['iou_type'] = 'mask'
    return data
