# Copyright (c) seavis_mm contributors. All rights reserved.
"""Loading of each frame's audio window (log-mel patch or VGGish feature)."""
import os.path as osp
import warnings
from collections import OrderedDict
from typing import Any, Dict, List, Tuple

import numpy as np
from mmcv.transforms import BaseTransform

from seavis_mm.datasets.audio import (PATCH_FRAMES, SAMPLE_RATE,
                                      AudioLoadError, VGGishLogMel,
                                      file_signature, load_audio,
                                      patches_for_frames, slice_end_sample)
from seavis_mm.registry import TRANSFORMS


class AudioFallbackWarning(UserWarning):
    """Audio was replaced or padded with silence (reported once a video)."""


_WARNED = set()


def warn_once(key: Any, message: str) -> None:
    """Warn once per process for ``key`` (a video and a problem)."""
    if key in _WARNED:
        return
    _WARNED.add(key)
    warnings.warn(message, AudioFallbackWarning, stacklevel=3)


def _first(value: Any) -> Any:
    """Clip-level value of a per-frame list (the frames of a clip share
    it)."""
    return value[0] if isinstance(value, (list, tuple)) else value


def _missing_source(path: str, missing: str, where: str, what: str,
                    fallback: str) -> None:
    """A video's audio source is not there: raise, or warn once and let the
    caller use ``fallback`` when the dataset allows it
    (``missing_audio='silence'``)."""
    if missing != 'silence':
        raise FileNotFoundError(
            f'{where}: {what} {path!r} not found (set '
            f"missing_audio='silence' in the dataset to use {fallback})")
    warn_once((path, 'missing'),
              f'{where}: {what} {path!r} not found; using {fallback} '
              "(missing_audio='silence')")


@TRANSFORMS.register_module()
class LoadAudioWindows(BaseTransform):
    """Add each frame's audio window to ``results['audio']``.

    Runs after ``TransformBroadcaster`` on the clip-level dict of lists (or on
    a single frame's dict). For ``audio_source='wav'`` (set per frame by
    ``AVISegDataset``) each frame ``t`` gets its ``(1, 96 + past_context,
    64)`` log-mel patch of the slice ``[t/fps, (t+1)/fps)`` (see
    :mod:`seavis_mm.datasets.audio`); for ``'feat'`` the ``t``-th row of the
    video's ``[T, D]`` VGGish feature file, ``(D,)``.

    Each video's audio is decoded and turned into one global log-mel grid
    once and kept in a small per-process LRU cache, so the frames of a clip,
    and the clips of later epochs, slice the same arrays.

    Problems (each message names the video, the file and what is wrong):
    a missing file raises ``FileNotFoundError``, unless the frame's
    ``missing_audio`` is ``'silence'``, then the video gets silence (zero
    features) and one :class:`AudioFallbackWarning`; an unreadable, empty or
    NaN/inf file raises :class:`AudioLoadError`; audio shorter than the video
    is zero-padded with one warning a video; a longer one is fine (its tail
    is never used).

    With ``past_audio_frames=P`` (training) the clip also gets the windows of
    the P frames before its first frame, oldest first, in ``past_audio``
    (``[P, 1, 96 + past_context, 64]`` or ``[P, D]``) and ``past_audio_valid``
    (bool ``[P]``, False for frames before the video's start, whose windows
    are silence / zeros): the audio history a stream holds when it reaches
    the clip, so that CCAF sees it in training too
    (``CCAF.forward_clip(past_audio=...)``).

    Required keys: ``frame_id``, ``fps``, ``audio_source``, ``audio_path`` or
    ``feat_path``, ``video_length`` or ``ori_video_length``.
    Added keys: ``audio`` (list of float32 arrays, one a frame), and with
    ``past_audio_frames`` ``past_audio`` and ``past_audio_valid``.

    Args:
        past_context (int): Extra past mel frames per patch. Defaults to 0.
        past_audio_frames (int): P, the frames before the clip whose windows
            are added (the neck's ``history_size`` K; K - 1 suffice for
            ``history='ring'``). Defaults to 0 (none).
        cache_size (int): Videos kept decoded per process. Defaults to 16.
    """

    def __init__(self,
                 past_context: int = 0,
                 past_audio_frames: int = 0,
                 cache_size: int = 16) -> None:
        if past_context < 0:
            raise ValueError(f'past_context must be >= 0, got {past_context}')
        if past_audio_frames < 0:
            raise ValueError('past_audio_frames must be >= 0, got '
                             f'{past_audio_frames}')
        self.past_context = past_context
        self.past_audio_frames = past_audio_frames
        self.cache_size = cache_size
        self._cache: 'OrderedDict[Tuple, np.ndarray]' = OrderedDict()
        self._front_end = None

    # -- cache -------------------------------------------------------------
    def _cached(self, key: Tuple, make) -> np.ndarray:
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        value = make()
        self._cache[key] = value
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return value

    # -- sources -----------------------------------------------------------
    def _logmel_grid(self, path: str, missing: str, num_frames: int,
                     fps: float, where: str) -> np.ndarray:
        """Global log-mel grid covering the whole video (padded)."""
        need = slice_end_sample(num_frames - 1, fps)
        if not osp.isfile(path):
            _missing_source(path, missing, where, 'audio file', 'silence')
            key = ('silence', need)
            y_fn = lambda: np.zeros(need, dtype=np.float32)  # noqa: E731
        else:
            key = file_signature(path) + (need, )
            y_fn = lambda: self._read_wav(path, need, where)  # noqa: E731

        def make() -> np.ndarray:
            if self._front_end is None:
                self._front_end = VGGishLogMel()
            return self._front_end(y_fn())

        return self._cached(key, make)

    @staticmethod
    def _read_wav(path: str, need: int, where: str) -> np.ndarray:
        try:
            y = load_audio(path, SAMPLE_RATE)
        except AudioLoadError as e:
            raise AudioLoadError(f'{where}: {e}') from e
        # One hop of shortfall is rounding (e.g. an AAC decoder's priming),
        # more than that is audio missing at the end of the video.
        if len(y) < need - 160:
            warn_once(
                (path, 'short'),
                f'{where}: audio file {path!r} is {len(y) / SAMPLE_RATE:.3f}'
                f' s long but the video needs {need / SAMPLE_RATE:.3f} s;'
                ' padding the end with silence')
        if len(y) < need:
            y = np.concatenate([y, np.zeros(need - len(y), np.float32)])
        return y

    def _features(self, path: str, missing: str, num_frames: int,
                  where: str) -> np.ndarray:
        """The video's ``[T, D]`` features, zero-padded to ``num_frames``."""
        if not osp.isfile(path):
            _missing_source(path, missing, where, 'audio feature file',
                            'zero features')
            return self._cached(('zeros', num_frames), lambda: np.zeros(
                (num_frames, 128), np.float32))

        def make() -> np.ndarray:
            try:
                feats = np.load(path, allow_pickle=False)
            except Exception as e:
                raise AudioLoadError(
                    f'{where}: audio feature file {path!r} could not be read '
                    f'({type(e).__name__}: {e}); expected a .npy array '
                    '[T, 128]') from e
            if feats.ndim != 2:
                raise AudioLoadError(
                    f'{where}: audio feature file {path!r} has shape '
                    f'{feats.shape}; expected [T, D] (VGGish: [T, 128])')
            if not np.isfinite(feats).all():
                raise AudioLoadError(
                    f'{where}: audio feature file {path!r} holds NaN/inf')
            feats = feats.astype(np.float32)
            if len(feats) < num_frames:
                warn_once((path, 'short'),
                          f'{where}: audio feature file {path!r} has '
                          f'{len(feats)} rows but the video has {num_frames} '
                          'frames; padding with zero features')
                pad = np.zeros((num_frames - len(feats), feats.shape[1]),
                               np.float32)
                feats = np.concatenate([feats, pad])
            return feats

        return self._cached(file_signature(path) + (num_frames, ), make)

    # -- transform ---------------------------------------------------------
    def transform(self, results: Dict) -> Dict:
        """Add ``results['audio']``."""
        single = not isinstance(results['frame_id'], (list, tuple))
        frame_ids: List[int] = ([results['frame_id']]
                                if single else list(results['frame_id']))
        fps = float(_first(results['fps']))
        source = _first(results.get('audio_source', 'wav'))
        missing = _first(results.get('missing_audio', 'error'))
        length_key = ('ori_video_length'
                      if 'ori_video_length' in results else 'video_length')
        num_frames = max(int(_first(results[length_key])), max(frame_ids) + 1)
        where = (f"video {_first(results.get('video_name', '?'))!r} "
                 f"(video_id={_first(results.get('video_id', '?'))})")

        if source == 'wav':
            grid = self._logmel_grid(_first(results['audio_path']), missing,
                                     num_frames, fps, where)

            def windows(ids: List[int]) -> np.ndarray:
                # frames before the video's start are silence
                return patches_for_frames(grid, ids, fps,
                                          self.past_context)[:, None]
        elif source == 'feat':
            feats = self._features(_first(results['feat_path']), missing,
                                   num_frames, where)

            def windows(ids: List[int]) -> np.ndarray:
                # frames before the video's start are zero features
                return np.stack([
                    feats[t] if t >= 0 else np.zeros_like(feats[0])
                    for t in ids
                ])
        else:
            raise ValueError(f"{where}: audio_source must be 'wav' or "
                             f"'feat', got {source!r}")
        audio = list(windows(frame_ids))
        results['audio'] = audio[0] if single else audio
        if self.past_audio_frames:
            first = min(frame_ids)
            past = list(range(first - self.past_audio_frames, first))
            results['past_audio'] = windows(past)
            results['past_audio_valid'] = np.array([t >= 0 for t in past])
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(past_context={self.past_context}'
                f', past_audio_frames={self.past_audio_frames}'
                f', patch_frames={PATCH_FRAMES})')
