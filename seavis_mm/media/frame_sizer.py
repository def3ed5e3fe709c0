# Copyright (c) seavis_mm contributors. All rights reserved.
"""One frame size per stream (the overlay video, results.json and the id
maps have one size)."""
import warnings
from typing import Optional, Tuple

import cv2
import numpy as np


class FrameResizedWarning(UserWarning):
    """Input frames changed size; they are resized to the first."""


class FrameSizer:
    """Keeps every frame of a stream at the first frame's size, warning
    once.

    Args:
        source (str): The stream's name, for the warning.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self.size: Optional[Tuple[int, int]] = None
        self.num_resized = 0

    def __call__(self, img: np.ndarray) -> np.ndarray:
        if self.size is None:
            self.size = img.shape[:2]
        if img.shape[:2] == self.size:
            return img
        if self.num_resized == 0:
            warnings.warn(
                f'{self.source}: a frame of {img.shape[1]}x{img.shape[0]} '
                f'in a stream that started at {self.size[1]}x{self.size[0]};'
                ' such frames are resized to the first size',
                FrameResizedWarning)
        self.num_resized += 1
        h, w = self.size
        return cv2.resize(img, (w, h), interpolation=cv2.INTER_LINEAR)
