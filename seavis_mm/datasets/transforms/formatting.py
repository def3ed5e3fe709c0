# Copyright (c) seavis_mm contributors. All rights reserved.
"""Packing of a clip (images, audio windows, annotations) for the model."""
from typing import Optional

import numpy as np
import torch
from mmdet.datasets.transforms import PackTrackInputs

from seavis_mm.registry import TRANSFORMS


@TRANSFORMS.register_module()
class PackAVISInputs(PackTrackInputs):
    """Pack a clip as ``inputs=dict(imgs=uint8 Tensor[T, 3, H, W],
    audio=float32 Tensor[T, 1, 96, 64] or [T, D])`` and a
    ``TrackDataSample`` of T ``DetDataSample``s (see ``PackTrackInputs``).
    When ``LoadAudioWindows(past_audio_frames=P)`` gave the audio before the
    clip, ``inputs`` also has ``past_audio`` (float32 ``[P, ...]``) and
    ``past_audio_valid`` (bool ``[P]``).

    When the dataset gives each frame ``sounding_instance_ids``
    (``AVISegDataset(sounding_ann_file=...)``: every visible object is
    annotated), each frame's ``gt_instances`` also has ``sounding`` (bool
    ``[N]``): whether the instance sounds in that frame.

    Besides mmdet's default meta keys each frame's metainfo holds ``fps``,
    ``audio_path``, ``feat_path``, ``audio_source``, ``video_name`` and
    ``ori_video_length``, so the model and the metric can find the audio and
    the original video again.

    Args:
        meta_keys (tuple, optional): Further meta keys.
    """

    avis_meta_keys = ('fps', 'audio_path', 'feat_path', 'audio_source',
                      'video_name', 'frame_id', 'ori_video_length')

    def __init__(self, meta_keys: Optional[tuple] = None, **kwargs) -> None:
        super().__init__(meta_keys=meta_keys, **kwargs)
        # mmdet packs (and drops the ignored rows of) every key it maps
        self.mapping_table = dict(self.mapping_table,
                                  gt_sounding='sounding')
        self.meta_keys = tuple(self.meta_keys) + tuple(
            k for k in self.avis_meta_keys if k not in self.meta_keys)

    def transform(self, results: dict) -> dict:
        """Pack images and annotations with mmdet, then add the audio."""
        if 'audio' not in results:
            raise KeyError('PackAVISInputs needs results["audio"]; put '
                           'LoadAudioWindows before it in the pipeline')
        if 'sounding_instance_ids' in results:
            # after the transforms: a crop may have dropped instances, and
            # the ids move with them
            results['gt_sounding'] = [
                np.isin(np.asarray(ids, np.int64),
                        np.asarray(list(snd), np.int64))
                for ids, snd in zip(results['gt_instances_ids'],
                                    results['sounding_instance_ids'])
            ]
        packed = super().transform(results)
        imgs = packed['inputs']
        audio = results['audio']
        if not isinstance(audio, (list, tuple)):
            audio = [audio]
        num_imgs = len(results['img_id'])
        if len(audio) != num_imgs:
            raise ValueError(f'PackAVISInputs got {len(audio)} audio windows '
                             f'for {num_imgs} frames')
        audio = torch.from_numpy(
            np.ascontiguousarray(np.stack(audio).astype(np.float32)))
        packed['inputs'] = dict(imgs=imgs, audio=audio)
        if 'past_audio' in results:
            packed['inputs']['past_audio'] = torch.from_numpy(
                np.ascontiguousarray(results['past_audio'], np.float32))
            packed['inputs']['past_audio_valid'] = torch.from_numpy(
                np.asarray(results['past_audio_valid'], bool))
        return packed
