# Copyright (c) seavis_mm contributors. All rights reserved.
"""Clocks, per-part timers and summaries shared by the benchmarks."""
import contextlib
import time
from typing import Dict, Iterator, List, Sequence, Tuple

import numpy as np
import torch


def summarize(ms: Sequence[float]) -> Dict[str, float]:
    """mean / p50 / p95 / min of per-frame milliseconds, and frames/s."""
    arr = np.asarray(ms, dtype=np.float64)
    mean = float(arr.mean())
    return dict(
        mean=mean,
        p50=float(np.percentile(arr, 50)),
        p95=float(np.percentile(arr, 95)),
        min=float(arr.min()),
        fps=1000.0 / mean if mean > 0 else float('inf'))


def clocks() -> np.ndarray:
    """``[wall, cpu]`` seconds: ``perf_counter`` and this process's CPU time
    (all its threads). On a loaded machine the wall time includes waiting
    for a core; the CPU time does not (with one torch thread it is the
    latency the frame would have on an idle core)."""
    return np.array([time.perf_counter(), time.process_time()])


def device_sync(device: torch.device):
    """A function that waits for ``device`` (CUDA), else does nothing."""
    if device.type == 'cuda':
        return lambda: torch.cuda.synchronize(device)
    return lambda: None


class PartTimer:
    """Exclusive wall and CPU time per named part of a model's forward.

    :meth:`wrap` replaces a method (or a module's ``forward``) on one
    instance by a timed version. Parts may nest (a head's ``forward`` calls
    the pixel decoder): time spent in an inner part is charged to it and
    subtracted from the outer one, so the parts add up to at most the frame
    time. On CUDA the device is synchronised at every boundary.

    mmdet's ``InferenceBenchmark`` (``mmdet/utils/benchmark.py``) times whole
    forwards only; the overhead question needs the parts, hence this class.
    """

    def __init__(self, device: torch.device) -> None:
        self.sync = device_sync(device)
        # part -> [wall ms, cpu ms]
        self.ms: Dict[str, np.ndarray] = {}
        self._stack: List[List] = []  # [part, start clocks, child seconds]
        self._restore: List[Tuple[object, str]] = []

    def _charge(self, name: str, seconds: np.ndarray) -> None:
        self.ms[name] = self.ms.get(name, np.zeros(2)) + seconds * 1e3

    def wrap(self, obj: object, attr: str, part: str) -> None:
        """Time every call of ``obj.<attr>`` as ``part``."""
        orig = getattr(obj, attr)

        def timed(*args, **kwargs):
            self.sync()
            self._stack.append([part, clocks(), np.zeros(2)])
            try:
                return orig(*args, **kwargs)
            finally:
                self.sync()
                name, start, child = self._stack.pop()
                elapsed = clocks() - start
                self._charge(name, elapsed - child)
                if self._stack:
                    self._stack[-1][2] += elapsed

        setattr(obj, attr, timed)
        self._restore.append((obj, attr))

    @contextlib.contextmanager
    def part(self, name: str) -> Iterator[None]:
        """Time a block of code as ``name``."""
        self.sync()
        start = clocks()
        self._stack.append([name, start, np.zeros(2)])
        try:
            yield
        finally:
            self.sync()
            self._stack.pop()
            elapsed = clocks() - start
            self._charge(name, elapsed)
            if self._stack:
                self._stack[-1][2] += elapsed

    def pop(self) -> Tuple[Dict[str, float], Dict[str, float]]:
        """The ``(wall ms, cpu ms)`` per part since the last call; resets
        them."""
        out, self.ms = self.ms, {}
        return ({k: float(v[0]) for k, v in out.items()},
                {k: float(v[1]) for k, v in out.items()})

    def unwrap(self) -> None:
        """Restore every wrapped method."""
        for obj, attr in reversed(self._restore):
            delattr(obj, attr)  # the class attribute shows through again
        self._restore = []


def sample_points(num_frames: int, first: int = 100) -> List[int]:
    """100, 1000, 10000, ... up to ``num_frames`` (1-based frame numbers)."""
    points, p = [], first
    while p <= num_frames:
        points.append(p)
        p *= 10
    return points
