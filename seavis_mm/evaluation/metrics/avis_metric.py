# Copyright (c) seavis_mm contributors. All rights reserved.
"""``AVISMetric``: FSLA, HOTA and mAP of AVISeg in an mmengine evaluator."""
import json
import os
import os.path as osp
import zipfile
from collections import defaultdict
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger
from mmengine.structures import BaseDataElement

from seavis_mm.registry import METRICS
from ..functional import (AVIS_METRICS, PROTOCOLS, empty_rle, encode_mask,
                          evaluate_avis, load_gt, rle_to_json, seg_to_rle)


def _to_numpy(x) -> np.ndarray:
    if hasattr(x, 'detach'):
        x = x.detach().cpu().numpy()
    return np.asarray(x)


@METRICS.register_module()
class AVISMetric(BaseMetric):
    """AVISeg's metrics: FSLA (FAn/FAs/FAm), HOTA (DetA/AssA/LocA) and mAP.

    Scores whole videos with :func:`seavis_mm.evaluation.functional.
    evaluate_avis`, the function ``tools/analysis_tools/eval_results.py``
    calls on files, so online and offline numbers agree.

    Each test item is a ``TrackDataSample`` of a video's frames (whole videos
    with ``DefaultSampler``; a video split over items is gathered until all
    its ``video_length`` frames arrived). A frame's ``pred_track_instances``
    holds ``masks`` (bool ``[n, H, W]`` at ``ori_shape``), ``labels``
    (0-based), ``scores`` and ``instances_id``; a track's category is the
    majority label and its score the mean score over its frames (as mmdet's
    ``YouTubeVISMetric``). Labels become category ids through
    ``dataset_meta['cat_ids']`` (else label + 1). Ground truth is rebuilt
    from the frames' ``instances`` or read from ``ann_file`` (the raw AVISeg
    JSON; only the processed videos are scored).

    Args:
        metric (Sequence[str]): Any of ``'FSLA'``, ``'HOTA'``, ``'mAP'``.
            (Named ``metric`` like mmdet's ``CocoMetric``: mmengine builds a
            config dict that has a ``metrics`` key as an ``Evaluator``.)
        protocol (str): ``'strict'`` (empty masks are absences; a perfect
            prediction scores 100) or ``'aviseval'`` (identical to AVISeg's
            official evaluator, to compare with published tables). See
            ``docs/en/metrics.md``.
        ann_file (str, optional): AVISeg ground-truth JSON to score against.
        format_only (bool): Only write the results (AVISM's format: one RLE
            per frame, empty where absent) to ``{outfile_prefix}.json`` and
            ``{outfile_prefix}.submission_file.zip``, for a test server.
        outfile_prefix (str, optional): Where to write results; when given
            without ``format_only`` the results and the per-video FSLA
            (``{outfile_prefix}.per_video.json``) are written too.
        collect_device (str): ``'cpu'`` or ``'gpu'``.
        prefix (str, optional): Key prefix, ``'avis'`` by default.
    """

    default_prefix: Optional[str] = 'avis'

    def __init__(self,
                 metric: Sequence[str] = AVIS_METRICS,
                 protocol: str = 'strict',
                 ann_file: Optional[str] = None,
                 format_only: bool = False,
                 outfile_prefix: Optional[str] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        metrics = [metric] if isinstance(metric, str) else list(metric)
        if not metrics or set(metrics) - set(AVIS_METRICS):
            raise ValueError(f'AVISMetric: metrics must be a non-empty subset '
                             f'of {AVIS_METRICS}, got {metrics}.')
        if protocol not in PROTOCOLS:
            raise ValueError(f'AVISMetric: protocol must be one of '
                             f'{PROTOCOLS}, got {protocol!r}.')
        if format_only and outfile_prefix is None:
            raise ValueError('AVISMetric: format_only=True needs '
                             'outfile_prefix (where to write the results).')
        self.metrics = metrics
        self.protocol = protocol
        self.ann_file = ann_file
        self.format_only = format_only
        self.outfile_prefix = outfile_prefix
        # read once, early, so a bad file fails before inference
        self._gt = load_gt(ann_file) if ann_file else None
        self._pending: Dict[int, dict] = defaultdict(dict)
        self.per_video_results: Dict[int, dict] = {}

    # ------------------------------------------------------------------
    # collecting
    def process(self, data_batch, data_samples: Sequence) -> None:
        """Collect the frames of each video; a complete video is formatted
        into ``self.results`` as (video info, GT annotations, predictions)."""
        for sample in data_samples:
            if isinstance(sample, BaseDataElement):
                frames = sample.video_data_samples
            else:
                frames = sample['video_data_samples']
            for frame in frames:
                self._add_frame(frame)

    def _add_frame(self, frame) -> None:
        if isinstance(frame, BaseDataElement):
            frame = frame.to_dict()
        for key in ('video_id', 'frame_id', 'ori_shape',
                    'pred_track_instances'):
            if key not in frame:
                raise KeyError(f"AVISMetric: a frame's data sample has no "
                               f"'{key}' (got {sorted(frame)}).")
        length = frame.get('video_length', frame.get('ori_video_length'))
        if length is None:
            raise KeyError("AVISMetric: a frame's data sample has no "
                           "'video_length'.")
        vid, fid = int(frame['video_id']), int(frame['frame_id'])
        height, width = (int(s) for s in frame['ori_shape'][:2])
        pred = frame['pred_track_instances']
        masks = _to_numpy(pred['masks']).astype(bool)
        if masks.ndim != 3 or masks.shape[1:] != (height, width):
            raise ValueError(
                f'AVISMetric: video {vid} frame {fid}: predicted masks have '
                f'shape {masks.shape}, expected (n, {height}, {width}) '
                '(n masks at the original image size).')
        self._pending[vid][fid] = dict(
            length=int(length),
            height=height,
            width=width,
            img_path=frame.get('img_path', ''),
            masks=[encode_mask(m) for m in masks],
            labels=_to_numpy(pred['labels']).astype(int).tolist(),
            scores=_to_numpy(pred['scores']).astype(float).tolist(),
            ids=_to_numpy(pred['instances_id']).astype(int).tolist(),
            instances=frame.get('instances', []))
        if len(self._pending[vid]) == int(length):
            self.results.append(self._format_video(vid,
                                                   self._pending.pop(vid)))

    def _cat_id(self, label: int) -> int:
        cat_ids = (self.dataset_meta or {}).get('cat_ids')
        return int(cat_ids[label]) if cat_ids is not None else label + 1

    def _format_video(self, vid: int, frames: Dict[int, dict]) -> tuple:
        first = frames[0] if 0 in frames else next(iter(frames.values()))
        length, h, w = first['length'], first['height'], first['width']
        if sorted(frames) != list(range(length)):
            raise ValueError(f'AVISMetric: video {vid}: frame ids '
                             f'{sorted(frames)} are not 0..{length - 1}.')
        name = osp.basename(osp.dirname(first['img_path'])) or str(vid)
        video = dict(id=vid, name=name, length=length, height=h, width=w)

        # ground truth: one track per instance_id
        gt_tracks: Dict[int, dict] = {}
        for fid in range(length):
            for k, inst in enumerate(frames[fid]['instances']):
                iid = int(inst['instance_id'])
                track = gt_tracks.setdefault(
                    iid, dict(id=iid, video_id=vid,
                              category_id=self._cat_id(
                                  int(inst['bbox_label'])),
                              segmentations=[None] * length,
                              iscrowd=int(inst.get('ignore_flag', 0))))
                where = f'AVISMetric: video {vid} frame {fid} instances[{k}]'
                rle = seg_to_rle(inst.get('mask'), h, w, where + '.mask')
                if rle is None:
                    raise ValueError(f'{where}: a sounding instance without '
                                     'a mask.')
                track['segmentations'][fid] = rle_to_json(rle)

        # predictions: one track per instances_id, AVISM's format
        empty = rle_to_json(empty_rle(h, w))
        collected: Dict[int, dict] = {}
        for fid in range(length):
            f = frames[fid]
            for mask, label, score, iid in zip(f['masks'], f['labels'],
                                               f['scores'], f['ids']):
                track = collected.setdefault(
                    iid, dict(labels=[], scores=[], segs=[empty] * length))
                track['labels'].append(label)
                track['scores'].append(score)
                track['segs'][fid] = rle_to_json(mask)
        preds = [
            dict(video_id=vid,
                 score=float(np.mean(t['scores'])),
                 # majority vote, ties to the lower label (as mmdet)
                 category_id=self._cat_id(
                     int(np.bincount(t['labels']).argmax())),
                 segmentations=t['segs']) for t in collected.values()
        ]
        return video, list(gt_tracks.values()), preds

    # ------------------------------------------------------------------
    # scoring
    def _gt_from_frames(self, results: List[tuple]) -> dict:
        classes = (self.dataset_meta or {}).get('classes')
        if classes is None:
            raise ValueError('AVISMetric: needs dataset_meta["classes"] (set '
                             'by the runner from the dataset) or ann_file.')
        categories = [
            dict(id=self._cat_id(i), name=name)
            for i, name in enumerate(classes)
        ]
        videos, annotations = [], []
        for video, gt_tracks, _ in results:
            videos.append(dict(id=video['id'], length=video['length'],
                               height=video['height'], width=video['width'],
                               file_names=[
                                   f"{video['name']}/{t}"
                                   for t in range(video['length'])
                               ]))
            annotations.extend(gt_tracks)
        return dict(videos=videos, annotations=annotations,
                    categories=categories)

    def compute_metrics(self, results: List[tuple]) -> Dict[str, float]:
        logger = MMLogger.get_current_instance()
        if self._pending:
            incomplete = {v: len(f) for v, f in self._pending.items()}
            self._pending.clear()
            raise ValueError(
                'AVISMetric: videos with missing frames (video_id: frames '
                f'received): {incomplete}; evaluate whole videos.')
        preds = [p for _, _, video_preds in results for p in video_preds]
        if self.outfile_prefix is not None:
            self._save_results(preds, logger)
        if self.format_only:
            return {}
        gt = self._gt if self._gt is not None else self._gt_from_frames(
            results)
        res = evaluate_avis(gt, preds, protocol=self.protocol,
                            metrics=self.metrics,
                            video_ids=[video['id'] for video, _, _ in results],
                            per_video=True)
        self.per_video_results = res.pop('per_video')
        if self.outfile_prefix is not None:
            path = f'{self.outfile_prefix}.per_video.json'
            with open(path, 'w') as f:
                json.dump({str(k): v for k, v in
                           self.per_video_results.items()}, f)
            logger.info(f'AVISMetric: per-video FSLA written to {path}')
        return {k: round(v, 2) for k, v in res.items()}

    def _save_results(self, preds: list, logger) -> None:
        out_dir = osp.dirname(self.outfile_prefix)
        if out_dir:
            os.makedirs(out_dir, exist_ok=True)
        path = f'{self.outfile_prefix}.json'
        with open(path, 'w') as f:
            json.dump(preds, f)
        logger.info(f'AVISMetric: results written to {path}')
        if self.format_only:
            zip_path = f'{self.outfile_prefix}.submission_file.zip'
            with zipfile.ZipFile(zip_path, 'w', zipfile.ZIP_DEFLATED) as zf:
                zf.write(path, 'results.json')
            logger.info(f'AVISMetric: submission zip written to {zip_path}')
