# Copyright (c) seavis_mm contributors. All rights reserved.
"""Batching of audio-visual clips: images by mmdet, audio stacked beside."""
from typing import Dict, List, Union

import torch
from mmdet.models.data_preprocessors import TrackDataPreprocessor

from seavis_mm.registry import MODELS


@MODELS.register_module()
class AVISDataPreprocessor(TrackDataPreprocessor):
    """``TrackDataPreprocessor`` that also stacks the audio windows.

    Takes ``data['inputs']`` as collated by ``pseudo_collate`` from
    ``PackAVISInputs``: ``dict(imgs=[uint8 Tensor[T, 3, H, W]] * N,
    audio=[Tensor[T, ...]] * N)``. Images are converted, normalised and
    padded exactly as ``TrackDataPreprocessor`` does (all its arguments
    apply); audio is stacked into ``float32 Tensor[N, T, ...]`` on the
    model's device; the audio before each clip, when the pipeline gives it
    (``LoadAudioWindows(past_audio_frames=P)``), is stacked the same way
    into ``past_audio`` ``float32 [N, P, ...]`` and ``past_audio_valid``
    ``bool [N, P]``.

    Returns:
        dict: ``dict(inputs=dict(imgs=Tensor[N, T, 3, Hp, Wp],
        audio=Tensor[N, T, ...][, past_audio=Tensor[N, P, ...],
        past_audio_valid=Tensor[N, P]]), data_samples=[TrackDataSample] *
        N)``.
    """

    def forward(self, data: dict, training: bool = False) -> Dict:
        inputs = data['inputs']
        if not isinstance(inputs, dict) or 'imgs' not in inputs:
            raise TypeError(
                'AVISDataPreprocessor expects inputs=dict(imgs=..., '
                'audio=...) as PackAVISInputs makes them, got '
                f'{type(inputs).__name__}')
        out = super().forward(
            dict(inputs=inputs['imgs'], data_samples=data.get('data_samples')),
            training)
        audio = inputs.get('audio')
        if audio is not None:
            audio = self._stack_audio(audio)
        batch = dict(imgs=out['inputs'], audio=audio)
        if inputs.get('past_audio') is not None:
            batch['past_audio'] = self._stack_audio(inputs['past_audio'])
            batch['past_audio_valid'] = self._stack_audio(
                inputs['past_audio_valid'], torch.bool, min_dim=2)
        return dict(inputs=batch, data_samples=out['data_samples'])

    def _stack_audio(self,
                     audio: Union[torch.Tensor, List[torch.Tensor]],
                     dtype: torch.dtype = torch.float32,
                     min_dim: int = 3) -> torch.Tensor:
        if isinstance(audio, torch.Tensor):
            batch = audio if audio.dim() >= min_dim else audio[None]
        else:
            shapes = {tuple(a.shape) for a in audio}
            if len(shapes) != 1:
                raise ValueError('AVISDataPreprocessor: audio windows of the '
                                 f'batch differ in shape: {sorted(shapes)}; '
                                 'clips must have the same number of frames')
            batch = torch.stack(list(audio), dim=0)
        return batch.to(self.device, dtype).contiguous()
