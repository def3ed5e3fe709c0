# Copyright (c) seavis_mm contributors. All rights reserved.
"""Training clip sampling: T frames of one video, sorted in time."""
import random
from typing import Dict, List, Optional

import numpy as np
from mmdet.datasets.transforms import BaseFrameSample

from seavis_mm.registry import TRANSFORMS


@TRANSFORMS.register_module()
class AVISClipSample(BaseFrameSample):
    """Sample a clip of ``num_frames`` frames of a video, sorted in time.

    ``mode='consecutive'``: frames ``s, s + interval, ..., s + (T-1)
    interval`` from a random start ``s`` (containing ``key_frame_id`` when the
    dataset gives one). ``mode='sparse'``: the video is cut into
    ``num_frames`` equal segments and one random frame is drawn from each
    (TSN-style), so the clip spans the whole video.

    A video too short for the clip falls back to a smaller interval, then to
    frames spread evenly with repeats (``np.linspace``), so every clip has
    exactly ``num_frames`` frames (the Mask2Former track head needs that).

    Args:
        num_frames (int): Frames per clip (T). Defaults to 5.
        interval (int): Step between consecutive frames. Defaults to 1.
        mode (str): ``'consecutive'`` or ``'sparse'``.
        collect_video_keys (list[str]): Video-level keys copied to frames.
    """

    def __init__(self,
                 num_frames: int = 5,
                 interval: int = 1,
                 mode: str = 'consecutive',
                 collect_video_keys: List[str] = ['video_id', 'video_length']):
        if num_frames < 1 or interval < 1:
            raise ValueError('AVISClipSample needs num_frames >= 1 and '
                             f'interval >= 1, got {num_frames}, {interval}')
        if mode not in ('consecutive', 'sparse'):
            raise ValueError("AVISClipSample mode must be 'consecutive' or "
                             f"'sparse', got {mode!r}")
        self.num_frames = num_frames
        self.interval = interval
        self.mode = mode
        super().__init__(collect_video_keys=collect_video_keys)

    def sample_indices(self,
                       video_length: int,
                       key_frame_id: Optional[int] = None) -> List[int]:
        """Frame indices of one clip, sorted in time."""
        if video_length < 1:
            raise ValueError('AVISClipSample got a video with no frames')
        n = self.num_frames
        if self.mode == 'sparse':
            edges = np.linspace(0, video_length, n + 1)
            inds = []
            for lo, hi in zip(edges[:-1], edges[1:]):
                lo_i = int(np.floor(lo))
                hi_i = max(lo_i + 1, int(np.ceil(hi)))
                inds.append(random.randrange(lo_i, min(hi_i, video_length)))
            return sorted(inds)
        interval = self.interval
        while interval > 1 and (n - 1) * interval >= video_length:
            interval -= 1
        span = (n - 1) * interval
        if span >= video_length:
            return np.linspace(0, video_length - 1,
                               n).round().astype(int).tolist()
        lo, hi = 0, video_length - 1 - span
        if key_frame_id is not None:
            # The clip must contain the key frame.
            lo = max(lo, key_frame_id - span)
            hi = min(hi, key_frame_id)
            starts = [
                s for s in range(lo, hi + 1)
                if (key_frame_id - s) % interval == 0
            ]
            start = random.choice(starts) if starts else lo
        else:
            start = random.randint(lo, hi)
        return [start + i * interval for i in range(n)]

    def transform(self, video_infos: dict) -> Optional[Dict[str, List]]:
        """Sample the clip and collate its frames into a dict of lists."""
        key_frame_id = video_infos.get('key_frame_id')
        inds = self.sample_indices(video_infos['video_length'], key_frame_id)
        return self.prepare_data(video_infos, inds)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_frames={self.num_frames}, '
                f'interval={self.interval}, mode={self.mode!r})')
