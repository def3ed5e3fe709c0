# Copyright (c) seavis_mm contributors. All rights reserved.
"""Inputs of the streaming benchmarks: synthetic or decoded frame/audio
pairs, and the frame preprocessing both timed models share."""
from typing import Iterator, List, Tuple

import numpy as np
import torch
from torch import Tensor

from seavis_mm.datasets.audio import SAMPLE_RATE, slice_end_sample


def synthetic_stream(num: int, shape: Tuple[int, int], fps: float,
                     seed: int = 0, distinct: int = 8
                     ) -> Iterator[Tuple[np.ndarray, np.ndarray]]:
    """``(BGR uint8 frame, 16 kHz audio slice)`` pairs: a few distinct noisy
    frames with moving blocks and tone-plus-noise audio, cycled (content
    does not change the cost; generating it must not be timed)."""
    rng = np.random.RandomState(seed)
    h, w = shape
    hop = slice_end_sample(0, fps)
    frames, chunks = [], []
    for i in range(distinct):
        img = rng.randint(0, 256, (h, w, 3)).astype(np.uint8)
        y0, x0 = (i * h) // (2 * distinct), (i * w) // (2 * distinct)
        img[y0:y0 + h // 4, x0:x0 + w // 4] = (40 * i) % 256
        frames.append(img)
        t = np.arange(hop) / SAMPLE_RATE
        tone = 0.3 * np.sin(2 * np.pi * (220 + 110 * i) * t)
        chunks.append((tone + 0.05 * rng.randn(hop)).astype(np.float32))
    for k in range(num):
        yield frames[k % distinct], chunks[k % distinct]


def video_stream(path: str, num: int, shape: Tuple[int, int], fps: float
                 ) -> List[Tuple[np.ndarray, np.ndarray]]:
    """The first ``num`` slices of a video file (with audio), resized to
    ``shape`` and resampled to 16 kHz mono beforehand (decoding is not
    what is measured)."""
    import cv2
    import librosa

    from seavis_mm.apis import open_slice_reader
    out = []
    for s in open_slice_reader(path, fps):
        audio = np.asarray(s.audio, np.float32)
        if audio.ndim == 2:
            audio = audio.mean(axis=1)
        if s.sample_rate != SAMPLE_RATE:
            audio = librosa.resample(
                audio, orig_sr=s.sample_rate, target_sr=SAMPLE_RATE)
        img = cv2.resize(s.image, (shape[1], shape[0]))
        out.append((img, audio.astype(np.float32)))
        if len(out) == num:
            break
    if len(out) < num:
        raise ValueError(f'--video {path!r} has {len(out)} slices at '
                         f'{fps} fps, fewer than the {num} asked for')
    return out


class FramePreprocessor:
    """BGR uint8 frame -> normalised, padded ``[1, 3, Hp, Wp]`` tensor and
    its metainfo, as ``AVISDataPreprocessor`` makes them; shared by both
    models so that neither is charged for it."""

    def __init__(self, model_cfg: dict, device: torch.device) -> None:
        pre = model_cfg.get('data_preprocessor', {})
        self.mean = torch.tensor(pre.get('mean', [0., 0., 0.])).view(3, 1, 1)
        self.std = torch.tensor(pre.get('std', [1., 1., 1.])).view(3, 1, 1)
        self.bgr_to_rgb = pre.get('bgr_to_rgb', False)
        self.divisor = pre.get('pad_size_divisor', 1)
        self.device = device

    def __call__(self, img: np.ndarray, frame_id: int) -> Tuple[Tensor, dict]:
        h, w = img.shape[:2]
        x = torch.from_numpy(np.ascontiguousarray(img)).permute(2, 0, 1)
        if self.bgr_to_rgb:
            x = x[[2, 1, 0]]
        x = (x.float() - self.mean) / self.std
        ph = -(-h // self.divisor) * self.divisor
        pw = -(-w // self.divisor) * self.divisor
        x = torch.nn.functional.pad(x, (0, pw - w, 0, ph - h))
        meta = dict(
            frame_id=frame_id,
            img_id=frame_id,
            video_id=0,
            img_shape=(h, w),
            ori_shape=(h, w),
            pad_shape=(ph, pw),
            batch_input_shape=(ph, pw),
            scale_factor=(1.0, 1.0))
        return x[None].to(self.device), meta
