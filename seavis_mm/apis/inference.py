# Copyright (c) seavis_mm contributors. All rights reserved.
"""Streaming inference: feed frames and audio as they arrive, get tracked,
sounding instances back at once.

:class:`OnlineAVISInferencer` keeps the stream's state: the audio front end
(a resampler to 16 kHz and :class:`~seavis_mm.datasets.audio.StreamingLogMel`)
here, the visual/audio caches and the tracks inside the model (reset at
``frame_id == 0``). Each :meth:`~OnlineAVISInferencer.step` builds the
one-frame data dict the test pipeline expects, runs the config's test
pipeline (images from memory instead of files, audio from the stream) and
``model.test_step``: the same per-frame path that ``model.predict`` loops
over on a whole video during evaluation.

Bad input (docs/reliability.md, "Streaming and media inputs"): a frame that
is not an ``H x W x 3`` uint8 BGR array, audio that is not ``(n,)`` /
``(n, channels)`` numbers, a non-positive or changing sample rate are
refused with a ``TypeError`` / ``ValueError`` that names the argument and
what was expected. Recoverable input is handled and reported once per
stream: NaN / inf audio samples are zeroed (:class:`NonFiniteAudioWarning`),
a frame of another size is accepted, its masks at its own size
(:class:`FrameSizeChangedWarning`).
"""
import copy
import os.path as osp
import warnings
from typing import Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmcv.transforms import Compose
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.runner import load_checkpoint
from mmengine.structures import InstanceData

from seavis_mm.datasets.audio import (HOP_LENGTH, SAMPLE_RATE, WIN_LENGTH,
                                      StreamingLogMel, last_mel_frame,
                                      slice_end_sample)
from seavis_mm.deployment import build_frame_backend
from seavis_mm.registry import MODELS, TRANSFORMS
from seavis_mm.utils import register_all_modules
from seavis_mm.utils.runtime_info import limit_blas_threads
from .video_io import VideoSliceReader

# Test-pipeline steps that read from the dataset's files; the stream
# supplies those inputs itself.
DROPPED_TRANSFORMS = ('LoadTrackAnnotations', 'LoadAnnotations',
                      'LoadAudioWindows')
AUDIO_TRANSFORM = 'LoadAudioWindows'
# Most channels an ``(n, channels)`` audio chunk may have: more is almost
# surely a ``(channels, n)`` array given the wrong way round.
MAX_AUDIO_CHANNELS = 16


class NonFiniteAudioWarning(UserWarning):
    """Audio samples of a stream were NaN / inf and were replaced by 0."""


class FrameSizeChangedWarning(UserWarning):
    """A stream's frame size changed; masks follow each frame's size."""


def _check_frame(frame) -> np.ndarray:
    """The frame contract of :meth:`OnlineAVISInferencer.step`: a non-empty
    ``H x W x 3`` uint8 BGR ``np.ndarray`` (made C-contiguous here, since a
    flipped view would otherwise reach OpenCV's resize)."""
    if not isinstance(frame, np.ndarray):
        raise TypeError('step: frame must be an H x W x 3 BGR uint8 '
                        f'np.ndarray, got {type(frame).__name__}')
    if frame.dtype != np.uint8:
        raise TypeError(
            'step: frame must be an H x W x 3 BGR uint8 array, got dtype '
            f'{frame.dtype} (convert, e.g. np.clip(img * 255, 0, 255)'
            '.astype(np.uint8) for float images in [0, 1])')
    if frame.ndim != 3 or frame.shape[2] != 3:
        hint = ''
        if frame.ndim == 2 or (frame.ndim == 3 and frame.shape[2] == 1):
            hint = ' (grey image: cv2.cvtColor(img, cv2.COLOR_GRAY2BGR))'
        elif frame.ndim == 3 and frame.shape[2] == 4:
            hint = ' (BGRA image: cv2.cvtColor(img, cv2.COLOR_BGRA2BGR))'
        raise ValueError('step: frame must be an H x W x 3 BGR array, got '
                         f'shape {frame.shape}{hint}')
    if frame.shape[0] < 1 or frame.shape[1] < 1:
        raise ValueError(f'step: frame is empty (shape {frame.shape})')
    return np.ascontiguousarray(frame)


def _check_sample_rate(sample_rate) -> int:
    """A positive whole number of Hz (``44100.0`` is fine, ``44100.5`` and
    ``True`` are not)."""
    ok = isinstance(sample_rate, (int, float, np.integer, np.floating)) \
        and not isinstance(sample_rate, (bool, np.bool_)) \
        and np.isfinite(sample_rate) and float(sample_rate).is_integer() \
        and sample_rate > 0
    if not ok:
        raise ValueError('sample_rate must be a positive whole number of Hz '
                         f'(e.g. 16000, 44100), got {sample_rate!r}')
    return int(sample_rate)


def _audio_as_float(chunk) -> np.ndarray:
    """An audio chunk as float32 ``(n,)`` or ``(n, channels)``: floats are
    taken as they are, integer PCM is scaled to [-1, 1) (int16 / 32768,
    int32 / 2**31, uint8 as (x - 128) / 128, as libsndfile reads it)."""
    x = np.asarray(chunk)
    kind = x.dtype.kind
    if kind == 'f':
        # float64 beyond float32's range becomes inf here: handled with the
        # NaN / inf samples
        with np.errstate(over='ignore'):
            x = x.astype(np.float32, copy=False)
    elif kind == 'i':
        x = x.astype(np.float32) / float(2**(8 * x.dtype.itemsize - 1))
    elif kind == 'u' and x.dtype.itemsize == 1:
        x = (x.astype(np.float32) - 128.0) / 128.0
    else:
        raise TypeError(
            'audio chunk must hold float or integer PCM samples (float32, '
            f'float64, int16, int32, uint8), got dtype {x.dtype}')
    if x.ndim not in (1, 2):
        raise ValueError('audio chunk must be (n,) or (n, channels), got '
                         f'shape {x.shape}')
    if x.ndim == 2 and not 1 <= x.shape[1] <= MAX_AUDIO_CHANNELS:
        raise ValueError(
            f'audio chunk must be (n, channels) with 1..{MAX_AUDIO_CHANNELS}'
            f' channels, got shape {x.shape}' +
            (' (a (channels, n) array? pass chunk.T)'
             if x.shape[1] > MAX_AUDIO_CHANNELS else ''))
    return x


def _type_name(t: dict) -> str:
    name = t.get('type', '')
    if not isinstance(name, str):  # a class given directly
        return name.__name__
    return name.split('.')[-1]  # 'mmdet.LoadImageFromFile' -> base name


def _is_frame_sampler(type_name: str) -> bool:
    """Clip/frame samplers turn a video dict into frame lists; a stream
    already has its one frame."""
    from mmdet.datasets.transforms import BaseFrameSample
    cls = TRANSFORMS.get(type_name)
    return isinstance(cls, type) and issubclass(cls, BaseFrameSample)


def stream_pipeline_cfg(pipeline: Sequence[dict]) -> Tuple[List[dict], dict]:
    """Turn a test pipeline config into the per-frame streaming one.

    ``LoadImageFromFile`` becomes mmdet's ``LoadImageFromNDArray``; the
    annotation and audio loaders and frame samplers are dropped (also inside
    wrappers such as ``TransformBroadcaster``).

    Returns:
        tuple[list[dict], dict]: the new pipeline, and the dropped
        ``LoadAudioWindows`` config (``{}`` if there was none), whose
        ``past_context`` the streaming front end must use.
    """
    audio_cfg: dict = {}

    def convert(ts: Sequence[dict]) -> List[dict]:
        nonlocal audio_cfg
        out = []
        for t in ts:
            t = copy.deepcopy(dict(t))
            name = _type_name(t)
            if name == AUDIO_TRANSFORM:
                audio_cfg = t
                continue
            if name in DROPPED_TRANSFORMS or _is_frame_sampler(name):
                continue
            if name == 'LoadImageFromFile':
                t['type'] = 'mmdet.LoadImageFromNDArray'
            if 'transforms' in t:
                t['transforms'] = convert(t['transforms'])
            out.append(t)
        return out

    new = convert(pipeline)
    if not new or not _type_name(new[-1]).startswith('Pack'):
        raise ValueError(
            'the test pipeline must end with a packing step '
            '(PackAVISInputs), got '
            f'{[_type_name(t) for t in pipeline]}')
    return new, audio_cfg


def model_fps(cfg: Config) -> float:
    """The frame rate the model was trained at: the test dataset's ``fps``,
    else the config's top-level ``fps``, else 1 (AVISeg)."""
    ds = cfg.get('test_dataloader', {}).get('dataset', {})
    fps = ds.get('fps', cfg.get('fps', 1.0))
    return float(fps)


class OnlineAVISInferencer:
    """Online audio-visual instance segmentation of a stream.

    Example::

        >>> inferencer = OnlineAVISInferencer(
        ...     'configs/seavis/seavis_r18_toyavis.py', 'ckpt.pth')
        >>> inferencer.reset()
        >>> for frame, audio in my_stream():   # BGR frame, its audio slice
        ...     inst = inferencer.step(frame, audio, sample_rate=48000)
        ...     print(inst.instances_id, inst.class_names)
        >>> for t, frame, inst in inferencer('clip.mp4'):  # a file
        ...     ...

    Args:
        model (str | Config): Config file (or loaded config).
        weights (str, optional): Checkpoint; None keeps the random init
            (for tests) with a warning.
        device (str): Torch device. Defaults to ``'cpu'``.
        fps (float, optional): Processed frames per second; defaults to the
            config's (the rate the model was trained at, 1 for AVISeg).
        blas_threads (int, optional): Cap numpy's BLAS thread pool (used by
            the log-mel front end) at this many threads, for the whole
            process. OpenBLAS threads spin after each call and take the
            cores from torch: uncapped, the front end ran 10x and the next
            frame 2x slower on 2 cores (docs/benchmarks.md). None leaves the
            pool alone. Defaults to 1.
        backend (str): What computes the per-frame network
            (``SeaVIS.forward_frame``): ``'pytorch'`` (eager),
            ``'onnxruntime'`` (exported to ONNX on the first frame of each
            size, or ``backend_options=dict(onnx_file=...)``) or
            ``'compile'`` (``torch.compile``). The audio front end,
            post-processing and tracker are the same Python for all.
            Defaults to ``'pytorch'``.
        backend_options (dict, optional): Options of the backend
            (:func:`~seavis_mm.deployment.build_frame_backend`), e.g.
            ``onnx_file``, ``threads``.

    Attributes:
        num_nonfinite_samples (int): NaN / inf input values (samples times
            channels) zeroed in the current stream.
        max_audio_ahead (float): Seconds of audio that may wait for their
            frames; more raises (audio far ahead of the frames means a wrong
            ``sample_rate`` or ``fps``, and would grow memory without
            bound).
    """

    # Seconds of following audio that readers deliver with a frame: soxr's
    # HQ resampler holds back ~33 ms (48 kHz input) to ~95 ms (8 kHz) of
    # 16 kHz output; with this lookahead the stream reproduces the offline
    # (whole-file) resampling exactly.
    audio_lookahead = 0.1
    max_audio_ahead = 600.0

    def __init__(self,
                 model: Union[str, Config],
                 weights: Optional[str] = None,
                 device: str = 'cpu',
                 fps: Optional[float] = None,
                 blas_threads: Optional[int] = 1,
                 backend: str = 'pytorch',
                 backend_options: Optional[dict] = None) -> None:
        register_all_modules()
        limit_blas_threads(blas_threads)
        if isinstance(model, str):
            if not osp.isfile(model):
                raise FileNotFoundError(f'config file not found: {model!r}')
            cfg = Config.fromfile(model)
        elif isinstance(model, Config):
            cfg = copy.deepcopy(model)
        else:
            raise TypeError('OnlineAVISInferencer: model must be a config '
                            f'path or Config, got {type(model).__name__}')
        self.cfg = cfg
        self.device = torch.device(device)

        dataset_cfg = cfg.get('test_dataloader', {}).get('dataset', {})
        if dataset_cfg.get('audio_source', 'wav') != 'wav':
            raise ValueError(
                'OnlineAVISInferencer computes audio from the waveform; the '
                f'config {getattr(cfg, "filename", "")!r} uses audio_source='
                f'{dataset_cfg.get("audio_source")!r} (precomputed features '
                "exist only for dataset videos); use audio_source='wav'")
        pipeline = dataset_cfg.get('pipeline')
        if not pipeline:
            raise ValueError('OnlineAVISInferencer: the config has no '
                             'test_dataloader.dataset.pipeline')
        pipeline_cfg, audio_cfg = stream_pipeline_cfg(pipeline)
        self.pipeline = Compose(
            [TRANSFORMS.build(t) for t in pipeline_cfg])
        self.past_context = int(audio_cfg.get('past_context', 0))

        self.model = MODELS.build(cfg.model)
        checkpoint_meta = {}
        if weights is not None:
            ckpt = load_checkpoint(self.model, weights, map_location='cpu')
            checkpoint_meta = ckpt.get('meta', {}) if isinstance(ckpt,
                                                                 dict) else {}
        else:
            warnings.warn('OnlineAVISInferencer: no checkpoint given; the '
                          'model keeps its random initialisation')
        self.model.cfg = cfg
        self.model.to(self.device)
        self.model.eval()
        self.backend = backend
        # None: eager PyTorch through model.test_step, as evaluation runs
        self._frame_forward = None if backend == 'pytorch' else \
            build_frame_backend(self.model, backend,
                                **(backend_options or {}))

        meta = checkpoint_meta.get('dataset_meta') or {}
        classes = meta.get('classes') or dataset_cfg.get(
            'metainfo', {}).get('classes')
        self.classes: Optional[Tuple[str, ...]] = \
            tuple(classes) if classes else None
        self.cat_ids: Optional[List[int]] = meta.get('cat_ids')
        self.dataset_meta = dict(classes=self.classes, cat_ids=self.cat_ids)

        self.fps = float(fps) if fps else model_fps(cfg)
        if self.fps <= 0:
            raise ValueError(f'fps must be > 0, got {self.fps}')
        self._video_id = -1
        self.reset()

    # ------------------------------------------------------------------
    # the stream
    # ------------------------------------------------------------------
    def reset(self) -> None:
        """Start a new stream (frame 0, empty audio history, no tracks).

        The model resets its own state when it sees ``frame_id == 0``.
        """
        self._video_id += 1
        self.frame_index = 0
        self._logmel = StreamingLogMel(past_context=self.past_context)
        # 16 kHz samples that arrived ahead of the frames; the front end
        # gets only what the current frame's patch needs, so its bounded
        # memory always still holds the patch
        self._ahead: List[np.ndarray] = []
        self._resampler = None
        self._in_rate: Optional[int] = None
        self._audio_ended = False
        self._frame_size: Optional[Tuple[int, int]] = None
        self._size_warned = False
        self.num_nonfinite_samples = 0

    @property
    def num_processed(self) -> int:
        """Frames processed since :meth:`reset`."""
        return self.frame_index

    def push_audio(self,
                   chunk: Optional[np.ndarray],
                   sample_rate: int = SAMPLE_RATE,
                   last: bool = False) -> None:
        """Add audio that arrived between frames (``step`` does the same
        with its ``audio_chunk``): downmix to mono, resample to 16 kHz and
        queue it for the log-mel front end.

        Args:
            chunk (np.ndarray, optional): ``(n,)`` or ``(n, channels)``
                (1 to 16 channels, averaged), float samples (nominally in
                [-1, 1]) or integer PCM (int16, int32, uint8; scaled to
                [-1, 1)). NaN / inf samples are replaced by 0 with one
                :class:`NonFiniteAudioWarning` per stream.
            sample_rate (int): Its sample rate in Hz (any positive whole
                number; resampled to 16 kHz); fixed within a stream.
            last (bool): No audio follows: flush the resampler, which
                otherwise holds back the last few ms.

        Raises:
            TypeError: ``chunk`` holds no numbers (bool, complex, object).
            ValueError: a bad shape or sample rate, a rate change within
                the stream, audio after ``last``, or more than
                :attr:`max_audio_ahead` s waiting for frames.
        """
        sample_rate = _check_sample_rate(sample_rate)
        x = np.zeros(0, np.float32) if chunk is None else \
            _audio_as_float(chunk)
        bad = ~np.isfinite(x)
        if bad.any():
            # zeroed per channel before the downmix and the resampler,
            # whose filter would smear them over the neighbouring samples
            first = self.num_nonfinite_samples == 0
            self.num_nonfinite_samples += int(bad.sum())
            x = np.where(bad, np.float32(0), x)
            if first:
                warnings.warn(
                    f'push_audio: {int(bad.sum())} NaN/inf audio values '
                    f'(at frame {self.frame_index} of the stream) replaced '
                    'by 0; later ones in this stream are zeroed silently and '
                    'counted in num_nonfinite_samples', NonFiniteAudioWarning)
        if x.ndim == 2:  # the downmix of the offline loader (load_audio)
            x = x.mean(axis=1) if x.shape[0] else np.zeros(0, np.float32)
        if self._audio_ended:
            if x.size:
                raise ValueError('push_audio: audio after the end of the '
                                 'stream (last=True); call reset() first')
            return
        if chunk is not None or last:
            if self._in_rate is None:
                self._in_rate = sample_rate
            elif sample_rate != self._in_rate:
                raise ValueError(
                    f'push_audio: sample_rate changed within a stream '
                    f'({self._in_rate} -> {sample_rate}); call reset() '
                    'first')
        if self._in_rate is not None and self._in_rate != SAMPLE_RATE:
            if self._resampler is None:
                import soxr

                # streaming soxr (HQ): bit-identical to librosa's 'soxr_hq'
                # on the whole file, which the offline loader uses
                self._resampler = soxr.ResampleStream(
                    self._in_rate, SAMPLE_RATE, 1, dtype='float32',
                    quality='HQ')
            x = self._resampler.resample_chunk(x, last=last)
        self._audio_ended = last
        if x.size:
            self._ahead.append(np.asarray(x, dtype=np.float32))
            queued = sum(len(a) for a in self._ahead) / SAMPLE_RATE
            if queued > self.max_audio_ahead:
                raise ValueError(
                    f'push_audio: {queued:.1f} s of audio wait for frames '
                    f'(more than max_audio_ahead={self.max_audio_ahead} s) '
                    f'at frame {self.frame_index}: is sample_rate '
                    f'({self._in_rate}) the audio\'s and fps ({self.fps}) '
                    'the rate frames are passed to step() at?')

    def _audio_patch(self, k: int) -> np.ndarray:
        """Frame ``k``'s log-mel patch ``(1, 96 + past_context, 64)``.

        Samples the stream has not delivered yet (the end of the audio, or
        the few milliseconds a resampler holds back) count as silence, as
        the offline loader pads short audio; they are added to a copy of the
        front end so the stream itself stays exact.
        """
        sample_end = slice_end_sample(k, self.fps)
        needed = last_mel_frame(sample_end) * HOP_LENGTH + WIN_LENGTH
        front = self._logmel
        missing = needed - front.num_samples
        if missing > 0 and self._ahead:
            ahead = np.concatenate(self._ahead)
            front.push(ahead[:missing])
            self._ahead = [ahead[missing:]] if len(ahead) > missing else []
            missing = needed - front.num_samples
        if missing > 0:
            front = copy.deepcopy(
                front, memo={id(front.front_end): front.front_end})
            front.push(np.zeros(missing, np.float32))
        return front.patch_until(sample_end)[None]

    def step(self,
             frame: np.ndarray,
             audio_chunk: Optional[np.ndarray] = None,
             sample_rate: int = SAMPLE_RATE,
             audio_end: bool = False) -> InstanceData:
        """Process the next frame of the stream.

        ``step`` has no clock: the ``k``-th call is the frame at ``k / fps``.
        A source whose frames arrive with gaps must pass the frame on
        screen at each ``k / fps`` (repeat the last one); the readers of
        :mod:`~seavis_mm.apis.video_io` do.

        Args:
            frame (np.ndarray): ``H x W x 3`` BGR uint8 image (any size; the
                test pipeline resizes it), the frame at ``k / fps``. The size
                may change within a stream: the masks follow each frame's
                size (one :class:`FrameSizeChangedWarning` per stream).
            audio_chunk (np.ndarray, optional): the audio that arrived with
                it, normally its slice ``[k / fps, (k + 1) / fps)``: ``(n,)``
                or ``(n, channels)`` float at ``sample_rate``. Any chunking
                works (the front end keeps one continuous signal); None adds
                nothing. Audio the frame's patch needs but that has not
                arrived counts as silence (as the offline loader pads short
                audio). At rates other than 16 kHz the resampler holds back
                a few ms, so to reproduce the offline numbers exactly,
                deliver ``audio_lookahead`` s of the following audio with
                each frame (the readers and :meth:`__call__` do).
            sample_rate (int): Sample rate of ``audio_chunk``. Defaults to
                16000.
            audio_end (bool): ``audio_chunk`` is the end of the audio (see
                :meth:`push_audio`). Defaults to False.

        Returns:
            InstanceData: the instances output at this frame: ``masks``
            (bool ``(n, H, W)`` at the frame's size), ``labels``,
            ``scores``, ``instances_id``, ``sound_scores`` (CPU tensors) and
            ``class_names`` (list of str).

        Raises:
            TypeError: ``frame`` is not a uint8 ``np.ndarray``, or the audio
                holds no numbers.
            ValueError: ``frame`` is not ``H x W x 3`` or is empty; see
                :meth:`push_audio` for the audio.
        """
        frame = _check_frame(frame)
        k = self.frame_index
        self.push_audio(audio_chunk, sample_rate, last=audio_end)
        patch = self._audio_patch(k)
        h, w = frame.shape[:2]
        if self._frame_size is None:
            self._frame_size = (h, w)
        elif (h, w) != self._frame_size and not self._size_warned:
            self._size_warned = True
            warnings.warn(
                f'step: frame {k} is {h}x{w} but the stream started at '
                f'{self._frame_size[0]}x{self._frame_size[1]}; accepted '
                '(the pipeline resizes every frame), masks are at each '
                "frame's own size", FrameSizeChangedWarning)
        data = dict(
            img=[frame],
            img_id=[k],
            frame_id=[k],
            video_id=[self._video_id],
            ori_shape=[(h, w)],
            img_shape=[(h, w)],
            fps=[self.fps],
            video_length=[1],
            audio=[patch])
        data = self.pipeline(data)
        with torch.no_grad():
            out = self._predict(pseudo_collate([data]))
        self.frame_index += 1
        pred = out[0][0].pred_track_instances.cpu()
        return self._finish(pred, (h, w))

    def _predict(self, batch: dict) -> list:
        """``model.test_step`` with the backend's per-frame network."""
        if self._frame_forward is None:
            return self.model.test_step(batch)
        data = self.model.data_preprocessor(batch, False)
        return self.model.predict(
            data['inputs'],
            data['data_samples'],
            frame_forward=self._frame_forward)

    def _finish(self, pred: InstanceData, shape: Tuple[int, int]
                ) -> InstanceData:
        for key in ('masks', 'labels', 'scores', 'instances_id'):
            if key not in pred:
                raise KeyError(
                    f"the model's pred_track_instances has no '{key}' (got "
                    f'{list(pred.keys())}); see the interface in '
                    'docs/en/advanced_guides/data_flow.md section 4')
        if tuple(pred.masks.shape[1:]) != tuple(shape):
            raise ValueError(
                f'the model returned masks of shape {tuple(pred.masks.shape)}'
                f' for a frame of size {shape}; masks must be at the '
                'original image size')
        if 'sound_scores' not in pred:
            pred.sound_scores = torch.ones(len(pred))
        pred.masks = pred.masks.bool()
        labels = pred.labels.tolist()
        pred.class_names = [self.class_name(int(l)) for l in labels]
        return pred

    def class_name(self, label: int) -> str:
        """Name of a 0-based label."""
        if self.classes is not None and 0 <= label < len(self.classes):
            return self.classes[label]
        return f'class {label}'

    def __call__(self,
                 video_path: str,
                 allow_silent: bool = False
                 ) -> Iterator[Tuple[float, np.ndarray, InstanceData]]:
        """Run a video file with its own audio track.

        Args:
            video_path (str): The video (its first video and audio streams).
            allow_silent (bool): Run a file without audio on silence (with a
                warning) instead of raising
                :class:`~seavis_mm.apis.video_io.NoAudioStreamError`.

        Yields:
            tuple: ``(timestamp in s, BGR frame, instances)`` per processed
            frame, at the inferencer's ``fps``.
        """
        reader = VideoSliceReader(
            video_path,
            self.fps,
            allow_silent,
            audio_lookahead=self.audio_lookahead)
        self.reset()
        for s in reader:
            yield s.time, s.image, self.step(
                s.image, s.audio, s.sample_rate, audio_end=s.audio_end)
