# Copyright (c) seavis_mm contributors. All rights reserved.
"""What users of video segmentation keep beside the overlay: the stream's
results in AVISM's format (the file the evaluator reads) and one PNG of
instance ids per frame."""
import json
import os
import os.path as osp
from collections import Counter
from typing import Dict, List, Optional, Sequence

import cv2
import numpy as np
from mmengine.structures import InstanceData

from seavis_mm.evaluation.functional import (empty_rle, encode_mask,
                                             rle_to_json)


class StreamResults:
    """Collects a stream's per-frame instances, compactly (masks as RLE).

    A track's category is its majority label and its score the mean score
    over the frames where it is output, as ``AVISMetric`` formats
    predictions.

    Args:
        height (int): Frame height.
        width (int): Frame width.
        cat_ids (Sequence[int], optional): JSON category id of each label
            (``dataset_meta['cat_ids']``); default ``label + 1``.
    """

    def __init__(self,
                 height: int,
                 width: int,
                 cat_ids: Optional[Sequence[int]] = None) -> None:
        self.height, self.width = int(height), int(width)
        self.cat_ids = list(cat_ids) if cat_ids is not None else None
        self.num_frames = 0
        # track id -> dict(labels, scores, segs: {frame: rle})
        self.tracks: Dict[int, dict] = {}

    def add(self, frame_index: int, instances: InstanceData) -> None:
        """Record the instances output at processed frame ``frame_index``."""
        masks = instances.masks
        masks = masks.cpu().numpy() if hasattr(masks, 'cpu') else \
            np.asarray(masks)
        if masks.ndim != 3 or masks.shape[1:] != (self.height, self.width):
            raise ValueError(
                f'StreamResults: frame {frame_index}: masks of shape '
                f'{masks.shape}, expected (n, {self.height}, {self.width})')
        for mask, label, score, tid in zip(masks,
                                           instances.labels.tolist(),
                                           instances.scores.tolist(),
                                           instances.instances_id.tolist()):
            t = self.tracks.setdefault(
                int(tid), dict(labels=[], scores=[], segs={}, frames=[]))
            t['labels'].append(int(label))
            t['scores'].append(float(score))
            t['frames'].append(int(frame_index))
            t['segs'][int(frame_index)] = encode_mask(mask)
        self.num_frames = max(self.num_frames, frame_index + 1)

    def category_id(self, label: int) -> int:
        return int(self.cat_ids[label]) if self.cat_ids is not None \
            else label + 1

    def track_label(self, track_id: int) -> int:
        """Majority label of a track."""
        return Counter(self.tracks[track_id]['labels']).most_common(1)[0][0]

    def to_avism(self, video_id: int = 0) -> List[dict]:
        """AVISM's results format: one entry per track, one compressed RLE
        per processed frame (the empty mask where the track is absent)."""
        empty = rle_to_json(empty_rle(self.height, self.width))
        out = []
        for tid in sorted(self.tracks):
            t = self.tracks[tid]
            segs = [
                rle_to_json(t['segs'][f]) if f in t['segs'] else empty
                for f in range(self.num_frames)
            ]
            out.append(
                dict(
                    video_id=int(video_id),
                    score=float(np.mean(t['scores'])),
                    category_id=self.category_id(self.track_label(tid)),
                    segmentations=segs))
        return out

    def write_json(self, path: str, video_id: int = 0) -> str:
        """Write :meth:`to_avism` to ``path``."""
        os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
        with open(path, 'w') as f:
            json.dump(self.to_avism(video_id), f)
        return path


def instance_id_map(instances: InstanceData, height: int,
                    width: int) -> np.ndarray:
    """``uint16`` map of track id + 1 per pixel (0: background); where masks
    overlap the higher-scored instance wins."""
    out = np.zeros((height, width), dtype=np.uint16)
    if len(instances) == 0:
        return out
    masks = instances.masks
    masks = masks.cpu().numpy() if hasattr(masks, 'cpu') else \
        np.asarray(masks)
    ids = instances.instances_id.tolist()
    order = np.argsort(np.asarray(instances.scores.tolist()))  # low first
    for i in order:
        if ids[i] + 1 > np.iinfo(np.uint16).max:
            raise ValueError(f'track id {ids[i]} does not fit a uint16 PNG')
        out[masks[i].astype(bool)] = ids[i] + 1
    return out


def write_instance_png(path: str, id_map: np.ndarray) -> None:
    """Write a ``uint16`` id map as a 16-bit PNG."""
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    if not cv2.imwrite(path, id_map.astype(np.uint16)):
        raise OSError(f'could not write {path!r}')
