# Copyright (c) seavis_mm contributors. All rights reserved.
"""Record what the tracker is given, then replay only the tracker.

Running the model once over a split and keeping each frame's tracker inputs
(query embeddings, scores, labels, masks at the original size, audio
anchor, identity embeddings, sounding probabilities) lets analyses replay
the tracker under other settings in milliseconds
(``tools/analysis_tools/sweep_tracker.py``) or look at the queries before
the tracker decides (``tools/analysis_tools/recall_analysis.py``).
"""
import os.path as osp
from typing import Dict, List, NamedTuple, Optional, Tuple, Union

import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from torch import nn


class RecordingTracker:
    """Stands in for the model's tracker: records its inputs, delegates."""

    # SeaVIS.track_frame upsamples only the queries above the tracker's
    # score_thr (SeaVISHead.postprocess_frame's score_floor); analyses look
    # at lower scores too, so every query's mask is recorded
    score_thr = None

    def __init__(self, tracker) -> None:
        self.tracker = tracker
        self.frames: List[dict] = []

    def track(self, frame_id, embeds, scores, labels, masks, **optional):
        # audio_anchor, id_embeds, sound_probs: whichever the model gives
        self.frames.append(
            dict(
                frame_id=int(frame_id),
                embeds=embeds.detach().cpu(),
                scores=scores.detach().cpu(),
                labels=labels.detach().cpu(),
                masks=masks.detach().cpu(),
                **{
                    k: None if v is None else v.detach().cpu()
                    for k, v in optional.items()
                }))
        return self.tracker.track(frame_id, embeds, scores, labels, masks,
                                  **optional)

    def __getattr__(self, name):
        return getattr(self.tracker, name)


def record_tracker_inputs(model: nn.Module, dataset,
                          max_videos: int = 0) -> List[dict]:
    """Per video of ``dataset`` (the first ``max_videos``; 0: all): its
    ``video_id``, ``height``, ``width`` and ``frames``, the tracker's inputs
    per frame (dicts of CPU tensors, the keyword arguments of
    ``SoundAwareTracker.track``)."""
    videos = []
    n = len(dataset) if max_videos <= 0 else min(max_videos, len(dataset))
    for i in range(n):
        recorder = RecordingTracker(model.tracker)
        model.tracker = recorder
        try:
            with torch.no_grad():
                out = model.test_step(pseudo_collate([dataset[i]]))[0]
        finally:
            model.tracker = recorder.tracker
        meta = out[0].metainfo
        h, w = meta['ori_shape'][:2]
        videos.append(
            dict(video_id=int(meta['video_id']), height=h, width=w,
                 frames=recorder.frames))
        print(f'recorded video {i + 1}/{n} ({len(recorder.frames)} frames)')
    return videos


class RecordedSplit(NamedTuple):
    """A checkpoint run once over a test split (:func:`record_split`)."""
    videos: List[dict]  #: :func:`record_tracker_inputs` of every video
    model: nn.Module
    cfg: Config
    dataset: object
    gt_file: str  #: the split's ground truth (annotation file)


def record_split(config: Union[str, Config],
                 checkpoint: str,
                 data_root: Optional[str] = None,
                 device: str = 'cpu',
                 max_videos: int = 0) -> RecordedSplit:
    """Build the model of ``config`` with ``checkpoint`` (one torch
    thread), its test dataset (``data_root`` overriding the config's) and
    record the tracker's inputs over it."""
    from seavis_mm.apis import OnlineAVISInferencer
    from seavis_mm.registry import DATASETS
    torch.set_num_threads(1)
    inferencer = OnlineAVISInferencer(config, checkpoint, device)
    cfg = inferencer.cfg
    ds_cfg = cfg.test_dataloader.dataset
    if data_root:
        ds_cfg.data_root = data_root
    dataset = DATASETS.build(ds_cfg)
    videos = record_tracker_inputs(inferencer.model, dataset, max_videos)
    return RecordedSplit(videos, inferencer.model, cfg, dataset,
                         osp.join(ds_cfg.data_root, ds_cfg.ann_file))


def tracker_params(cfg: Config) -> dict:
    """The config's tracker arguments (its ``model.tracker`` but ``type``),
    what :func:`replay_tracker` takes."""
    return {k: v for k, v in cfg.model.tracker.items() if k != 'type'}


def replay_tracker(videos: List[dict], params: dict, cat_ids) -> List[dict]:
    """AVISM-format results of a :class:`SoundAwareTracker` built with
    ``params`` on recorded videos."""
    from seavis_mm.apis.export import StreamResults
    from seavis_mm.models.trackers import SoundAwareTracker
    tracker = SoundAwareTracker(**params)
    results = []
    for v in videos:
        collected = StreamResults(v['height'], v['width'], cat_ids)
        for f in v['frames']:
            collected.add(f['frame_id'], tracker.track(**f))
        results += collected.to_avism(v['video_id'])
    return results


def recorded_queries(videos: List[dict],
                     tracker) -> Tuple[Dict[int, List[dict]], float]:
    """The recorded queries as
    :func:`~seavis_mm.evaluation.functional.recall_funnel` takes them:
    per video id, per frame, ``masks`` (RLEs), ``scores``, ``sounding``
    (the tracker's per-frame sounding score: the head's probability when
    the tracker gates on it, else the cosine with the audio anchor; 1
    without a gate) and ``kept`` (whether the query is one of the
    tracker's candidates, above its score threshold and kept by its mask
    NMS), and the gate's threshold.

    Args:
        videos (list[dict]): From :func:`record_tracker_inputs`.
        tracker (SoundAwareTracker): The tracker whose gate is analysed.
    """
    from seavis_mm.evaluation.functional import encode_mask
    queries: Dict[int, List[dict]] = {}
    thr = 0.0
    for v in videos:
        frames = []
        for f in v['frames']:
            sounding, thr = tracker.frame_sounding(
                F.normalize(f['embeds'].float(), dim=1),
                f.get('audio_anchor'), f.get('sound_probs'))
            if thr is None:  # nothing gated: every query passes
                sounding, thr = torch.ones(len(f['scores'])), 0.0
            kept = torch.zeros(len(f['scores']), dtype=torch.bool)
            kept[tracker.select_candidates(f['scores'], f['masks'])] = True
            frames.append(
                dict(masks=[encode_mask(m.numpy()) for m in f['masks']],
                     scores=f['scores'].float().numpy(),
                     sounding=sounding.float().numpy(),
                     kept=kept.numpy()))
        queries[v['video_id']] = frames
    return queries, float(thr)


__all__ = [
    'RecordingTracker', 'RecordedSplit', 'record_tracker_inputs',
    'record_split', 'tracker_params', 'replay_tracker', 'recorded_queries'
]
