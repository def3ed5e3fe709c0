# Copyright (c) seavis_mm contributors. All rights reserved.
"""Pretraining of an audio encoder: which categories sound in each frame.

The paper starts its audio encoder from VGGish weights trained on AudioSet;
the toy encoder starts from nothing. Trained with the segmentation model
for 400 iterations it names only 47-89% of the sounding categories of the
frames where sounds of several kinds mix (configs/seavis/README.md,
"Every visible object in training; the audio encoder pretrained"), and
the sounding gate cannot pass an object whose sound the audio embedding
does not carry. This model trains the same encoder alone, on the frames'
audio and the categories of their sounding ground truth, as a multi-label
tagger; a segmentation config then starts its ``audio_encoder`` from the
checkpoint (configs/_base_/audio_pretrained_toyavis.py)::

    audio_encoder=dict(init_cfg=dict(
        type='Pretrained', checkpoint='.../iter_600.pth',
        prefix='audio_encoder.'))
"""
from typing import Dict, List, Optional, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from torch import Tensor, nn

from seavis_mm.registry import MODELS
from ..audio_encoders import encode_audio_tokens
from ..losses.category_tag_loss import category_targets


@MODELS.register_module()
class AudioTagger(BaseModel):
    """An audio encoder and a linear multi-label classifier on its
    per-frame embedding, trained with binary cross-entropy.

    The data is what the segmentation pipeline packs (``PackAVISInputs``
    without images): ``inputs['audio']`` holds each clip's ``[T, ...]``
    log-mel windows and each frame's ``gt_instances.labels`` are the
    categories that sound in it (AVISeg annotates only those).

    Args:
        audio_encoder (dict): The encoder, as in the segmentation config.
        num_classes (int): Number of categories.
        data_preprocessor (dict, optional): Defaults to mmengine's
            ``BaseDataPreprocessor`` (moves the batch to the device).
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 audio_encoder: dict,
                 num_classes: int,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        self.audio_encoder = MODELS.build(audio_encoder)
        self.num_classes = int(num_classes)
        self.cls_head = nn.Linear(self.audio_encoder.out_channels,
                                  self.num_classes)

    @staticmethod
    def _audio(inputs: Union[dict, Tensor]) -> Tensor:
        """``[N, T, ...]`` from the collated ``inputs``."""
        audio = inputs['audio'] if isinstance(inputs, dict) else inputs
        if isinstance(audio, (list, tuple)):
            lengths = {a.shape[0] for a in audio}
            if len(lengths) != 1:
                raise ValueError('AudioTagger: the clips of a batch must '
                                 f'have one length, got {sorted(lengths)}')
            audio = torch.stack(list(audio))
        return audio

    @staticmethod
    def _frames(data_samples: List) -> List:
        """The frames of the batch, clip-major (``TrackDataSample``s are
        opened into their ``video_data_samples``)."""
        return [
            f for s in data_samples
            for f in getattr(s, 'video_data_samples', [s])
        ]

    def targets(self, data_samples: List) -> Tensor:
        """``[N*T, num_classes]`` 0/1: the categories sounding in each
        frame (clip-major; :func:`category_targets`)."""
        return category_targets(
            [f.gt_instances.labels for f in self._frames(data_samples)],
            self.num_classes, self.cls_head.weight)

    def forward(self,
                inputs: Union[dict, Tensor],
                data_samples: Optional[List] = None,
                mode: str = 'tensor') -> Union[Dict[str, Tensor], Tensor,
                                               List]:
        """``mode='tensor'``: per-frame logits ``[N*T, num_classes]``;
        ``'loss'``: ``dict(loss_tag)``; ``'predict'``: the data samples'
        frames with ``pred_score`` (sigmoid probabilities) set."""
        emb, _ = encode_audio_tokens(self.audio_encoder, self._audio(inputs))
        logits = self.cls_head(emb.flatten(0, 1))
        if mode == 'tensor':
            return logits
        if mode == 'loss':
            return dict(loss_tag=F.binary_cross_entropy_with_logits(
                logits, self.targets(data_samples)))
        if mode == 'predict':
            frames = self._frames(data_samples)
            for f, p in zip(frames, logits.sigmoid()):
                f.pred_score = p
            return frames
        raise ValueError(f'AudioTagger: unknown mode {mode!r}')
