# Copyright (c) seavis_mm contributors. All rights reserved.
"""Streaming speed of SeaVIS against plain per-frame Mask2Former.

Four measurements, any of which can be switched on in one run:

1. **Per-frame split** (always): the online path (:meth:`SeaVIS.predict_frame`
   with the incremental log-mel front end) on a synthetic or given stream,
   timed per part (backbone, pixel decoder, audio front end, audio encoder,
   CCAF, head decoder, head post-processing, instance embeddings, tracker),
   and mmdet's plain ``Mask2Former`` (same backbone, pixel decoder and decoder
   settings, the config's number of queries, mmdet's instance
   post-processing) on the same preprocessed frames. The two models run
   interleaved frame by frame (ABBA order) in the same process with the same
   thread count, so machine load weighs on both alike; the key figure is
   ``overhead_ratio = SeaVIS ms / reference ms``.
2. ``--long-stream N``: N frames through :meth:`OnlineAVISInferencer.step`
   (the user's path: pipeline, audio front end, model, tracker), with the
   per-frame time (median of a trailing window) and RSS at frames 100, 1000,
   10000, ... A *control* stream (a second inferencer with the same weights,
   restarted before each window) runs interleaved within each window, so
   ``long / control`` cancels changes in machine load over a long run.
3. ``--history-sweep K ...``: cost of one CCAF ``forward_stream`` with K audio
   embeddings held, for the config's history mode and for ``'unbounded'``.
4. ``--audio-frontend S``: seconds of audio per second for the incremental
   :class:`StreamingLogMel` against recomputing each frame's window and
   against recomputing the whole history every frame.

Every time is taken on two clocks: wall (the JSON's top-level keys) and
this process's CPU time (``cpu`` / ``*_cpu`` keys), which on a loaded machine
leaves out the waiting for a core. Random weights give the same latency as
trained ones (no data-dependent control flow except the tracker, whose cost
is bounded; see ``benchmark_tracker.py``), so without ``--checkpoint`` the
backbone's pretrained ``init_cfg`` is dropped and nothing is downloaded.
Figures and the commands behind them: ``docs/benchmarks.md``.

Example::

    python tools/analysis_tools/benchmark_stream.py \\
        configs/seavis/seavis_r50_8xb2-20k_aviseg.py --frames 20 \\
        --shape 360 640 --threads 1 --out r50_360p.json
    python tools/analysis_tools/benchmark_stream.py \\
        configs/seavis/seavis_r18_toyavis.py --shape 128 128 --skip-split \\
        --long-stream 10000 --threads 1 --out toy_long.json
"""
import argparse
import contextlib
import copy
import os
import time
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np
import torch
from mmengine.config import Config, ConfigDict, DictAction
from mmengine.runner import load_checkpoint
from torch import Tensor

from seavis_mm.datasets.audio import (SAMPLE_RATE, StreamingLogMel,
                                      VGGishLogMel, patch_for_frame,
                                      slice_end_sample)
from seavis_mm.registry import MODELS
from seavis_mm.utils import register_all_modules
from seavis_mm.utils.runtime_info import (cpu_name, dump_json,
                                          limit_blas_threads, peak_rss_mb,
                                          rss_mb)

# what SeaVIS computes on top of plain Mask2Former; the other parts compute
# the same thing on the same weights in both models
SEAVIS_ONLY_PARTS = ('audio_frontend', 'audio_encoder', 'audio_fusion',
                     'ccaf', 'embeddings', 'tracker')
SEAVIS_PARTS = ('backbone', 'pixel_decoder', 'audio_frontend',
                'audio_encoder', 'ccaf', 'head_decoder', 'head_postprocess',
                'embeddings', 'tracker', 'other')
REFERENCE_PARTS = ('backbone', 'pixel_decoder', 'head_decoder',
                   'head_postprocess', 'other')
# the issue's coarse split: 'head' = decoder + post-processing + embeddings
HEAD_PARTS = ('head_decoder', 'head_postprocess', 'embeddings')


# ----------------------------------------------------------------------
# process and timing helpers
# ----------------------------------------------------------------------
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


class PartTimer:
    """Exclusive wall and CPU time per named part of a model's forward.

    :meth:`wrap` replaces a method (or a module's ``forward``) on one
    instance by a timed version. Parts may nest (a head's ``forward`` calls
    the pixel decoder): time spent in an inner part is charged to it and
    subtracted from the outer one, so the parts add up to at most the frame
    time. On CUDA the device is synchronised at every boundary.
    """

    def __init__(self, device: torch.device) -> None:
        self.sync = (lambda: torch.cuda.synchronize(device)) \
            if device.type == 'cuda' else (lambda: None)
        # part -> [wall ms, cpu ms]
        self.ms: Dict[str, np.ndarray] = {}
        self._stack: List[List] = []  # [part, start clocks, child seconds]
        self._restore: List[Tuple[object, str]] = []

    def _charge(self, name: str, seconds: np.ndarray) -> None:
        self.ms[name] = self.ms.get(name, np.zeros(2)) + seconds * 1e3

    def wrap(self, obj: object, attr: str, part: str) -> None:
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
        for obj, attr in reversed(self._restore):
            delattr(obj, attr)  # the class attribute shows through again
        self._restore = []


# ----------------------------------------------------------------------
# models
# ----------------------------------------------------------------------
def load_cfg(config: str, cfg_options: Optional[dict],
             checkpoint: Optional[str]) -> Config:
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if checkpoint is None:
        # latency does not depend on the weights; never download them
        cfg.model.backbone.init_cfg = None
    return cfg


def build_seavis(cfg: Config, checkpoint: Optional[str],
                 device: torch.device) -> torch.nn.Module:
    model = MODELS.build(copy.deepcopy(cfg.model))
    if checkpoint:
        load_checkpoint(model, checkpoint, map_location='cpu')
    # else: PyTorch's default initialisation (as OnlineAVISInferencer keeps
    # it without weights); init_weights() would only log every parameter
    return model.to(device).eval()


def reference_model_cfg(model_cfg: dict) -> dict:
    """mmdet's plain Mask2Former with SeaVIS's backbone, pixel decoder,
    transformer decoder and queries, and mmdet's instance post-processing
    (``MaskFormerFusionHead``, ``max_per_image`` = number of queries, as
    mmdet's 100-query COCO config has it)."""
    head = copy.deepcopy(dict(model_cfg['track_head']))
    for key in ('type', 'embed_dims', 'num_embed_fcs', 'audio_channels',
                'loss_agcl_frame', 'loss_agcl_instance'):
        head.pop(key, None)
    train_cfg = head.pop('train_cfg', None)
    num_things = head['num_things_classes']
    num_stuff = head.get('num_stuff_classes', 0)
    head['type'] = 'mmdet.Mask2FormerHead'
    pre = copy.deepcopy(dict(model_cfg.get('data_preprocessor', {})))
    pre['type'] = 'mmdet.DetDataPreprocessor'
    return dict(
        type='mmdet.Mask2Former',
        data_preprocessor=pre,
        backbone=copy.deepcopy(model_cfg['backbone']),
        panoptic_head=head,
        panoptic_fusion_head=dict(
            type='mmdet.MaskFormerFusionHead',
            num_things_classes=num_things,
            num_stuff_classes=num_stuff,
            loss_panoptic=None,
            init_cfg=None),
        train_cfg=train_cfg,
        test_cfg=dict(
            panoptic_on=False,
            semantic_on=False,
            instance_on=True,
            max_per_image=head['num_queries'],
            iou_thr=0.8,
            filter_low_score=True),
        init_cfg=None)


def build_reference(cfg: Config, device: torch.device,
                    seavis: Optional[torch.nn.Module] = None
                    ) -> Tuple[torch.nn.Module, int]:
    """The reference, with SeaVIS's weights in every part they share
    (backbone, pixel decoder, transformer decoder, class and mask
    branches), so both compute the same activations there.

    Returns:
        tuple: the model and the number of tensors copied.
    """
    model = MODELS.build(ConfigDict(reference_model_cfg(cfg.model)))
    copied = 0
    if seavis is not None:
        own = model.state_dict()
        shared = {}
        for key, value in seavis.state_dict().items():
            key = key.replace('track_head.', 'panoptic_head.', 1)
            if key in own and own[key].shape == value.shape:
                shared[key] = value
        model.load_state_dict(shared, strict=False)
        copied = len(shared)
    return model.to(device).eval(), copied


def num_params_m(model: torch.nn.Module) -> float:
    return sum(p.numel() for p in model.parameters()) / 1e6


# ----------------------------------------------------------------------
# streams
# ----------------------------------------------------------------------
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


# ----------------------------------------------------------------------
# 1. per-frame split against the reference
# ----------------------------------------------------------------------
def wrap_seavis(timer: PartTimer, model) -> None:
    timer.wrap(model.backbone, 'forward', 'backbone')
    timer.wrap(model.track_head, 'pixel_decode', 'pixel_decoder')
    if model.audio_encoder is not None:
        timer.wrap(model.audio_encoder, 'forward', 'audio_encoder')
    if model.audio_fusion is not None:
        timer.wrap(model.audio_fusion, 'forward', 'audio_fusion')
    if model.neck is not None:
        timer.wrap(model.neck, 'forward_stream', 'ccaf')
    timer.wrap(model.track_head, 'decode', 'head_decoder')
    timer.wrap(model.track_head, 'postprocess_frame', 'head_postprocess')
    timer.wrap(model.track_head, 'instance_embeds', 'embeddings')
    timer.wrap(model.track_head, 'audio_anchors', 'embeddings')
    timer.wrap(model.tracker, 'track', 'tracker')


def wrap_reference(timer: PartTimer, model) -> None:
    timer.wrap(model.backbone, 'forward', 'backbone')
    timer.wrap(model.panoptic_head.pixel_decoder, 'forward', 'pixel_decoder')
    # head.forward = pixel decoder + transformer decoder; head.predict adds
    # the upsampling of the masks to the padded input size
    timer.wrap(model.panoptic_head, 'forward', 'head_decoder')
    timer.wrap(model.panoptic_head, 'predict', 'head_postprocess')
    timer.wrap(model.panoptic_fusion_head, 'predict', 'head_postprocess')


def _autocast(device: torch.device, fp16: bool):
    if fp16:
        return torch.autocast(device_type=device.type, dtype=torch.float16)
    return contextlib.nullcontext()


def bench_split(cfg: Config, args, device: torch.device) -> dict:
    """Interleaved per-frame timing of SeaVIS and the reference."""
    from mmdet.structures import DetDataSample

    seavis = build_seavis(cfg, args.checkpoint, device)
    reference, copied = (None, 0) if args.no_reference else \
        build_reference(cfg, device, seavis)
    fps = float(cfg.get('fps', 1.0))
    total = args.warmup + args.frames
    shape = tuple(args.shape)
    stream = video_stream(args.video, total, shape, fps) if args.video \
        else list(synthetic_stream(total, shape, fps))
    prep = FramePreprocessor(cfg.model, device)
    logmel = StreamingLogMel(
        past_context=int(_audio_past_context(cfg)))
    timer = PartTimer(device)
    wrap_seavis(timer, seavis)
    ref_timer = PartTimer(device)
    if reference is not None:
        wrap_reference(ref_timer, reference)
    seavis.reset_stream()
    # Steady state: a bounded CCAF history is full after K frames, so fill
    # it first (and number frames from 1, so that predict_frame does not
    # reset the stream); otherwise a short run would time a shorter history.
    prefilled = bool(args.prefill_history and seavis.neck is not None
                     and seavis.neck.history != 'unbounded')
    if prefilled:
        _prefill_history(seavis.neck)
    frame_offset = 1 if prefilled else 0

    def run_seavis(k: int, img: Tensor, meta: dict, chunk: np.ndarray):
        timer.sync()
        start = clocks()
        audio = None
        if seavis.with_audio:
            with timer.part('audio_frontend'):
                logmel.push(chunk)
                patch = logmel.patch_for_frame(k, fps)
                audio = torch.from_numpy(patch)[None, None].to(device)
        sample = DetDataSample(metainfo=meta)
        with torch.no_grad(), _autocast(device, args.fp16):
            seavis.predict_frame(img, audio, sample)
        timer.sync()
        return (clocks() - start) * 1e3, timer.pop()

    def run_reference(img: Tensor, meta: dict):
        ref_timer.sync()
        start = clocks()
        sample = DetDataSample(metainfo=meta)
        with torch.no_grad(), _autocast(device, args.fp16):
            reference.predict(img, [sample], rescale=True)
        ref_timer.sync()
        return (clocks() - start) * 1e3, ref_timer.pop()

    # per model: list of ([wall, cpu] ms, (wall parts, cpu parts))
    runs: Dict[str, list] = dict(s=[], r=[])
    rss_start = rss_mb()
    for k, (frame, chunk) in enumerate(stream):
        img, meta = prep(frame, k + frame_offset)
        # ABBA: neither model always runs first (caches, turbo, load)
        if reference is None:
            results = [('s', run_seavis(k, img, meta, chunk))]
        elif k % 2 == 0:
            results = [('s', run_seavis(k, img, meta, chunk)),
                       ('r', run_reference(img, meta))]
        else:
            r = run_reference(img, meta)
            results = [('s', run_seavis(k, img, meta, chunk)), ('r', r)]
        if args.verbose:
            print(f'frame {k}{" (warm-up)" if k < args.warmup else ""}: '
                  + '  '.join(f'{w} {ms[0]:.1f} ms (cpu {ms[1]:.1f})'
                              for w, (ms, _) in results))
        if k >= args.warmup:
            for who, run in results:
                runs[who].append(run)
    timer.unwrap()
    ref_timer.unwrap()

    result = dict(
        frames=args.frames,
        warmup=args.warmup,
        shape=list(shape),
        stream=args.video or 'synthetic',
        seavis_params_m=num_params_m(seavis),
        cache_len=getattr(seavis.neck, 'cache_len', None),
        history=_history_desc(cfg),
        history_prefilled=bool(prefilled),
    )
    if reference is not None:
        result.update(
            reference_params_m=num_params_m(reference),
            reference_shared_tensors=copied)
    # wall clock at the top level (the issue's keys), CPU time under 'cpu'
    for clock, idx in (('wall', 0), ('cpu', 1)):
        res = _split_figures(
            [(ms[idx], parts[idx]) for ms, parts in runs['s']],
            [(ms[idx], parts[idx]) for ms, parts in runs['r']])
        if clock == 'wall':
            result.update(res)
        else:
            result['cpu'] = res
    result['peak_rss_mb'] = peak_rss_mb()
    result['rss_mb'] = rss_mb()
    result['rss_mb_growth_split'] = result['rss_mb'] - rss_start
    return result


def _parts_mean(runs: List[Tuple[float, Dict[str, float]]],
                names: Sequence[str]) -> Dict[str, float]:
    """Mean ms per part; ``other`` = frame time not in any part."""
    out = {}
    seen = {n for _, p in runs for n in p}
    for name in list(names) + sorted(seen - set(names)):  # + audio_fusion
        if name == 'other' or (name not in seen and name not in (
                'backbone', 'pixel_decoder')):
            continue
        out[name] = float(np.mean([p.get(name, 0.0) for _, p in runs]))
    out['other'] = float(np.mean([ms for ms, _ in runs])) - sum(out.values())
    return out


def _split_figures(s_runs: List[Tuple[float, Dict[str, float]]],
                   r_runs: List[Tuple[float, Dict[str, float]]]) -> dict:
    """Summaries, parts and overhead ratios of one clock."""
    s_ms = [ms for ms, _ in s_runs]
    s_sum = summarize(s_ms)
    parts = _parts_mean(s_runs, SEAVIS_PARTS)
    parts['head'] = sum(parts.get(p, 0.0) for p in HEAD_PARTS)
    out = dict(seavis_ms_per_frame=s_sum['mean'], seavis=s_sum,
               parts_ms=parts)
    if not r_runs:
        return out
    r_ms = [ms for ms, _ in r_runs]
    r_sum = summarize(r_ms)
    r_parts = _parts_mean(r_runs, REFERENCE_PARTS)
    r_parts['head'] = r_parts.get('head_decoder', 0.0) + \
        r_parts.get('head_postprocess', 0.0)
    extra = sum(parts.get(p, 0.0) for p in SEAVIS_ONLY_PARTS)
    out.update(
        reference_ms_per_frame=r_sum['mean'],
        reference=r_sum,
        reference_parts_ms=r_parts,
        overhead_ratio=s_sum['mean'] / r_sum['mean'],
        overhead_ratio_p50=s_sum['p50'] / r_sum['p50'],
        overhead_ratio_paired_median=float(
            np.median([s / r for s, r in zip(s_ms, r_ms)])),
        # less sensitive to load: the reference plus what only SeaVIS
        # computes (its own, cheaper post-processing is not credited)
        seavis_only_ms=extra,
        overhead_ratio_additive=(r_sum['mean'] + extra) / r_sum['mean'])
    return out


def _prefill_history(neck, num: Optional[int] = None,
                     seed: int = 0) -> None:
    """Push ``num`` (default ``history_size``) random audio embeddings into
    CCAF's stream history through CCAF's own push (eviction and summary
    included), instead of running as many full frames."""
    num = neck.history_size if num is None else num
    g = torch.Generator().manual_seed(seed)
    proj = neck.audio_proj
    with torch.no_grad():
        fill = torch.randn(num, proj.in_features, generator=g)
        kv = proj(fill.to(proj.weight.device))
        for i in range(num):
            neck._push(kv[i:i + 1])


def _audio_past_context(cfg: Config) -> int:
    """``past_context`` of the test pipeline's ``LoadAudioWindows``."""
    pipeline = cfg.get('test_dataloader', {}).get('dataset', {}).get(
        'pipeline', [])
    for t in pipeline:
        if str(t.get('type', '')).endswith('LoadAudioWindows'):
            return int(t.get('past_context', 0))
    return 0


def _history_desc(cfg: Config) -> Optional[str]:
    neck = cfg.model.get('neck')
    if not neck:
        return None
    mode = neck.get('history', 'ring')
    return mode if mode == 'unbounded' else \
        f'{mode} K={neck.get("history_size", 64)}'


def print_split(res: dict) -> None:
    print(f'\nPer-frame latency at {res["shape"][0]}x{res["shape"][1]}, '
          f'{res["frames"]} frames after {res["warmup"]} warm-up '
          f'({res["stream"]} stream, CCAF history: {res["history"]})')
    for clock, figs in (('wall clock', res), ('CPU time', res['cpu'])):
        _print_split_clock(clock, figs)
    print(f'peak RSS {res["peak_rss_mb"]:.0f} MB (both models in one '
          'process)')


def _print_split_clock(clock: str, res: dict) -> None:
    has_ref = 'reference' in res
    header = f'{clock:<26}{"mean ms":>9}{"p50 ms":>9}{"p95 ms":>9}' \
             f'{"fps":>8}'
    print('\n' + header)
    print('-' * len(header))
    rows = [('SeaVIS (online path)', res['seavis'])]
    if has_ref:
        rows.append(('Mask2Former (reference)', res['reference']))
    for name, s in rows:
        print(f'{name:<26}{s["mean"]:>9.1f}{s["p50"]:>9.1f}{s["p95"]:>9.1f}'
              f'{s["fps"]:>8.2f}')
    if has_ref:
        print(f'overhead SeaVIS / reference: {res["overhead_ratio"]:.3f} '
              f'(means), {res["overhead_ratio_p50"]:.3f} (medians), '
              f'{res["overhead_ratio_paired_median"]:.3f} (median of '
              'per-frame pairs)')
        print(f'additive estimate (reference + SeaVIS-only parts, '
              f'{res["seavis_only_ms"]:.1f} ms): '
              f'{res["overhead_ratio_additive"]:.3f}')
    print(f'{"part (mean ms/frame)":<26}{"SeaVIS":>9}'
          + (f'{"M2F":>9}{"diff":>9}' if has_ref else ''))
    names = list(dict.fromkeys(
        list(res['parts_ms']) + list(res.get('reference_parts_ms', {}))))
    names = [n for n in names if n != 'head'] + ['head']
    for name in names:
        s = res['parts_ms'].get(name, 0.0)
        line = f'  {name:<24}{s:>9.2f}'
        if has_ref:
            r = res['reference_parts_ms'].get(name, 0.0)
            line += f'{r:>9.2f}{s - r:>+9.2f}'
        print(line)


# ----------------------------------------------------------------------
# 2. long stream through OnlineAVISInferencer.step()
# ----------------------------------------------------------------------
def sample_points(num_frames: int, first: int = 100) -> List[int]:
    """100, 1000, 10000, ... up to ``num_frames`` (1-based frame numbers)."""
    points, p = [], first
    while p <= num_frames:
        points.append(p)
        p *= 10
    return points


def bench_long_stream(cfg: Config, args, device: torch.device) -> dict:
    """Stream ``args.long_stream`` frames through ``step()``."""
    from seavis_mm.apis import OnlineAVISInferencer

    num = args.long_stream
    window = args.window
    points = sample_points(num)
    if not points:
        raise ValueError(f'--long-stream {num}: needs at least 100 frames '
                         '(per_frame_ms is sampled at frames 100, 1000, ...)')
    if window > points[0]:
        raise ValueError(f'--window {window} is longer than the first '
                         f'sample point ({points[0]})')
    shape = tuple(args.shape)
    with _quiet_no_checkpoint():
        main = OnlineAVISInferencer(cfg, args.checkpoint, device=str(device))
        control = OnlineAVISInferencer(cfg, None, device=str(device)) \
            if args.control else None
    if control is not None:
        control.model.load_state_dict(main.model.state_dict())
    fps = main.fps
    gen = synthetic_stream(num + 1, shape, fps)
    cached = [next(gen) for _ in range(8)]
    ctrl_stream = synthetic_stream(10**9, shape, fps, seed=1)

    times = np.zeros((num, 2), dtype=np.float64)  # [wall, cpu] ms
    ctrl: Dict[str, np.ndarray] = {}
    rss_at: Dict[str, float] = {}
    starts = {p - window + 1: p for p in points}  # 1-based window starts
    in_window: Optional[int] = None
    ctrl_times: List[np.ndarray] = []
    main.reset()
    wall = time.perf_counter()
    for k in range(num):
        n = k + 1  # 1-based frame number
        if control is not None and n in starts:
            # a fresh stream, warmed up as long as the window, runs beside
            # this window's frames
            in_window, ctrl_times = starts[n], []
            control.reset()
            for _ in range(window):
                control.step(*next(ctrl_stream))
        frame, chunk = cached[k % len(cached)]
        t0 = clocks()
        main.step(frame, chunk)
        times[k] = (clocks() - t0) * 1e3
        if in_window is not None:
            t0 = clocks()
            control.step(*next(ctrl_stream))
            ctrl_times.append((clocks() - t0) * 1e3)
            if n == in_window:
                ctrl[str(n)] = np.median(np.stack(ctrl_times), axis=0)
                in_window = None
        if n in points:
            rss_at[str(n)] = rss_mb()
        if args.verbose and n % max(1, num // 20) == 0:
            print(f'  frame {n}/{num}: {times[k, 0]:.1f} ms (cpu '
                  f'{times[k, 1]:.1f}), RSS {rss_mb():.0f} MB, '
                  f'{time.perf_counter() - wall:.0f} s elapsed')
    wall = time.perf_counter() - wall
    neck = main.model.neck
    out = dict(
        long_stream_frames=num,
        long_stream_shape=list(shape),
        window=window,
        history=_history_desc(cfg),
        rss_mb_at=rss_at,
        rss_mb_growth=rss_mb() - rss_at[str(points[0])],
        long_stream_wall_s=wall,
        long_stream_cache_len=getattr(neck, 'cache_len', None),
        live_tracks=getattr(main.model.tracker, 'num_live_tracks', None),
    )
    first, last = str(points[0]), str(points[-1])
    # wall clock under the issue's keys, CPU time with a '_cpu' suffix
    for idx, sfx in ((0, ''), (1, '_cpu')):
        per_frame = {
            str(p): float(np.median(times[p - window:p, idx]))
            for p in points
        }
        out['per_frame_ms' + sfx] = per_frame
        out['ratio_last_vs_first' + sfx] = per_frame[last] / per_frame[first]
        if control is not None:
            ctrl_ms = {p: float(v[idx]) for p, v in ctrl.items()}
            rel = {p: per_frame[p] / ctrl_ms[p] for p in per_frame}
            out['control_ms' + sfx] = ctrl_ms
            out['rel_control' + sfx] = rel
            out['rel_ratio_last_vs_first' + sfx] = rel[last] / rel[first]
    return out


@contextlib.contextmanager
def _quiet_no_checkpoint():
    import warnings
    with warnings.catch_warnings():
        warnings.filterwarnings(
            'ignore', message='OnlineAVISInferencer: no checkpoint')
        yield


def print_long(res: dict) -> None:
    print(f'\nLong stream: {res["long_stream_frames"]} frames through '
          f'step() at {res["long_stream_shape"][0]}x'
          f'{res["long_stream_shape"][1]} (history {res["history"]}), '
          f'median of the {res["window"]} frames up to each point, '
          f'{res["long_stream_wall_s"]:.0f} s')
    has_ctrl = 'control_ms' in res
    header = f'{"frame":>8}{"RSS MB":>9}{"wall ms":>10}{"cpu ms":>9}' + \
        (f'{"ctrl wall":>11}{"ctrl cpu":>10}{"rel wall":>10}'
         f'{"rel cpu":>9}' if has_ctrl else '')
    print(header)
    print('-' * len(header))
    for p, ms in res['per_frame_ms'].items():
        line = f'{p:>8}{res["rss_mb_at"][p]:>9.1f}{ms:>10.2f}' \
               f'{res["per_frame_ms_cpu"][p]:>9.2f}'
        if has_ctrl:
            line += f'{res["control_ms"][p]:>11.2f}' \
                    f'{res["control_ms_cpu"][p]:>10.2f}' \
                    f'{res["rel_control"][p]:>10.3f}' \
                    f'{res["rel_control_cpu"][p]:>9.3f}'
        print(line)
    print(f'last / first: wall {res["ratio_last_vs_first"]:.3f}, cpu '
          f'{res["ratio_last_vs_first_cpu"]:.3f}'
          + (f'; relative to the control: wall '
             f'{res["rel_ratio_last_vs_first"]:.3f}, cpu '
             f'{res["rel_ratio_last_vs_first_cpu"]:.3f}' if has_ctrl else '')
          + f'\nRSS growth since frame 100: {res["rss_mb_growth"]:+.1f} MB;'
          f' CCAF cache holds {res["long_stream_cache_len"]} embeddings; '
          f'{res["live_tracks"]} live tracks')


# ----------------------------------------------------------------------
# 3. CCAF cost against the number of audio embeddings held
# ----------------------------------------------------------------------
def bench_history(cfg: Config, args, device: torch.device) -> dict:
    """Median ms of one ``CCAF.forward_stream`` with K embeddings held, at
    the pixel-decoder shapes of ``--shape``."""
    model = build_seavis(cfg, args.checkpoint, device)
    neck = model.neck
    if neck is None:
        raise ValueError('--history-sweep: the config has no CCAF neck')
    h, w = args.shape
    img = torch.randn(1, 3, -(-h // 32) * 32, -(-w // 32) * 32,
                      device=device)
    with torch.no_grad():
        mask_features, memorys = model.track_head.pixel_decode(
            model.backbone(img))
    audio_channels = neck.audio_proj.in_features
    orig = (neck.history, neck.history_size)
    out: Dict[str, Dict[str, float]] = {}
    out_cpu: Dict[str, Dict[str, float]] = {}
    modes = [(orig[0], k) for k in args.history_sweep]
    if orig[0] != 'unbounded':
        modes += [('unbounded', k) for k in args.history_sweep]
    g = torch.Generator().manual_seed(0)
    for mode, k in modes:
        neck.history = mode
        if mode != 'unbounded':
            neck.history_size = k
        neck.reset_stream()
        _prefill_history(neck, k, seed=k)
        with torch.no_grad():
            audio_t = torch.randn(
                1, neck.tokens_per_frame, audio_channels,
                generator=g).to(device)
            ms = []
            for _ in range(args.history_repeats):
                if device.type == 'cuda':
                    torch.cuda.synchronize(device)
                t0 = clocks()
                neck.forward_stream(memorys, mask_features, audio_t)
                if device.type == 'cuda':
                    torch.cuda.synchronize(device)
                ms.append((clocks() - t0) * 1e3)
        med = np.median(np.stack(ms), axis=0)
        out.setdefault(mode, {})[str(k)] = float(med[0])
        out_cpu.setdefault(mode, {})[str(k)] = float(med[1])
    neck.history, neck.history_size = orig
    neck.reset_stream()
    return dict(history_cost_ms=out, history_cost_cpu_ms=out_cpu,
                history_shape=[h, w])


def print_history(res: dict) -> None:
    h, w = res['history_shape']
    print(f'\nCCAF forward_stream, median ms, at {h}x{w} with K audio '
          'embeddings held')
    for key, clock in (('history_cost_ms', 'wall'),
                       ('history_cost_cpu_ms', 'cpu')):
        for mode, row in res[key].items():
            print(f'  {clock:<5}{mode:<10}' + '  '.join(
                f'K={k}: {v:.2f}' for k, v in row.items()))


# ----------------------------------------------------------------------
# 4. audio front end
# ----------------------------------------------------------------------
def bench_audio_frontend(seconds: float, fps_list: Sequence[float],
                         history_seconds: float, repeats: int = 3) -> dict:
    """Seconds of audio per second of the log-mel front end, three ways
    (the fastest of ``repeats`` runs each)."""
    rng = np.random.RandomState(0)
    y = (0.1 * rng.randn(int(seconds * SAMPLE_RATE))).astype(np.float32)
    full = VGGishLogMel()
    # warm up librosa / numpy (first-call set-up is not per-frame cost)
    warm = StreamingLogMel()
    warm.push(y[:2 * SAMPLE_RATE])
    warm.patch_until(2 * SAMPLE_RATE)
    patch_for_frame(y, 0, 1.0)
    full(y[:SAMPLE_RATE])
    out = {}
    for fps in fps_list:
        num = int(seconds * fps) - 1
        bounds = [slice_end_sample(t, fps) for t in range(num)]
        num_hist = min(num, int(history_seconds * fps))

        def streaming():
            # incremental: push each frame's hop, read its patch
            stream, prev = StreamingLogMel(), 0
            for end in bounds:
                stream.push(y[prev:end])
                prev = end
                stream.patch_until(end)

        def window_recompute():
            # the frame's own window recomputed from the signal every frame
            for t in range(num):
                patch_for_frame(y, t, fps)

        def history_recompute():
            # the whole history recomputed every frame (quadratic: shorter)
            for t in range(num_hist):
                full(y[:bounds[t]])

        res = {}
        for name, fn in (('streaming', streaming),
                         ('window_recompute', window_recompute),
                         ('history_recompute', history_recompute)):
            best = float('inf')
            for _ in range(repeats):  # the fastest run: least disturbed
                t0 = time.perf_counter()
                fn()
                best = min(best, time.perf_counter() - t0)
            res[name] = best
        hist = res['history_recompute']
        audio_s = bounds[-1] / SAMPLE_RATE
        hist_audio_s = bounds[num_hist - 1] / SAMPLE_RATE
        out[f'fps={fps:g}'] = dict(
            frames=num,
            audio_s=audio_s,
            streaming_audio_s_per_s=audio_s / res['streaming'],
            streaming_ms_per_frame=res['streaming'] / num * 1e3,
            window_recompute_audio_s_per_s=audio_s / res['window_recompute'],
            window_recompute_ms_per_frame=res['window_recompute'] / num *
            1e3,
            history_recompute_audio_s=hist_audio_s,
            history_recompute_audio_s_per_s=hist_audio_s / hist,
            history_recompute_ms_per_frame=hist / num_hist * 1e3,
        )
    return dict(audio_frontend=out)


def print_audio(res: dict) -> None:
    print('\nLog-mel front end: seconds of audio per second of compute '
          '(and ms per frame)')
    header = f'{"":<8}{"streaming":>20}{"window recompute":>22}' \
             f'{"history recompute":>24}'
    print(header)
    for key, r in res['audio_frontend'].items():
        print(f'{key:<8}'
              f'{r["streaming_audio_s_per_s"]:>11.0f} ({r["streaming_ms_per_frame"]:.2f} ms)'  # noqa: E501
              f'{r["window_recompute_audio_s_per_s"]:>12.0f} ({r["window_recompute_ms_per_frame"]:.2f} ms)'  # noqa: E501
              f'{r["history_recompute_audio_s_per_s"]:>12.0f} ({r["history_recompute_ms_per_frame"]:.2f} ms, first {r["history_recompute_audio_s"]:.0f} s)')  # noqa: E501


# ----------------------------------------------------------------------
def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Streaming latency of SeaVIS vs plain Mask2Former')
    parser.add_argument('config', help='SeaVIS config file')
    parser.add_argument('--checkpoint', help='weights (default: random)')
    parser.add_argument('--frames', type=int, default=20,
                        help='timed frames per model (after warm-up)')
    parser.add_argument('--warmup', type=int, default=3,
                        help='untimed frames first')
    parser.add_argument('--shape', type=int, nargs=2, default=(360, 640),
                        metavar=('H', 'W'), help='frame size')
    parser.add_argument('--video', help='a video file with audio instead of '
                        'the synthetic stream')
    parser.add_argument('--threads', type=int, default=2,
                        help='torch CPU threads (both models)')
    parser.add_argument('--blas-threads', type=int, default=1,
                        help='numpy BLAS threads (log-mel); 0: leave as is')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--fp16', action='store_true',
                        help='autocast to float16 (CUDA)')
    parser.add_argument('--no-prefill-history', dest='prefill_history',
                        action='store_false',
                        help='start the split with an empty CCAF history '
                        '(default: fill a bounded one first)')
    parser.add_argument('--no-reference', action='store_true',
                        help='skip plain Mask2Former')
    parser.add_argument('--skip-split', action='store_true',
                        help='skip the per-frame split (e.g. only '
                        '--long-stream)')
    parser.add_argument('--long-stream', type=int, default=0, metavar='N',
                        help='also stream N frames through step()')
    parser.add_argument('--window', type=int, default=51,
                        help='frames per long-stream sample (median)')
    parser.add_argument('--no-control', dest='control',
                        action='store_false',
                        help='no control stream in --long-stream')
    parser.add_argument('--history-sweep', type=int, nargs='+', default=[],
                        metavar='K', help='CCAF cost with K embeddings held')
    parser.add_argument('--history-repeats', type=int, default=10)
    parser.add_argument('--audio-frontend', type=float, default=0,
                        metavar='SECONDS',
                        help='benchmark the log-mel front end on this '
                        'much audio')
    parser.add_argument('--audio-fps', type=float, nargs='+',
                        default=[1.0, 25.0])
    parser.add_argument('--audio-history-seconds', type=float, default=60,
                        help='audio for the (quadratic) history recompute')
    parser.add_argument('--audio-repeats', type=int, default=3,
                        help='audio runs per method (the fastest counts)')
    parser.add_argument('--verbose', action='store_true')
    parser.add_argument('--out', help='write the results as JSON here')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings, e.g. model.neck.history=unbounded')
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    register_all_modules(init_default_scope=True)
    torch.set_num_threads(args.threads)
    blas = limit_blas_threads(args.blas_threads)
    device = torch.device(args.device)
    if args.fp16 and device.type != 'cuda':
        raise ValueError('--fp16 times float16 autocast on a GPU; use '
                         '--device cuda (got --device '
                         f'{args.device})')
    cfg = load_cfg(args.config, args.cfg_options, args.checkpoint)
    torch.manual_seed(0)
    meta = dict(
        config=args.config,
        checkpoint=args.checkpoint,
        device=str(device),
        device_name=(torch.cuda.get_device_name(device)
                     if device.type == 'cuda' else cpu_name()),
        fp16=args.fp16,
        threads=args.threads,
        cpu_count=os.cpu_count(),
        load_avg=os.getloadavg() if hasattr(os, 'getloadavg') else None,
        torch=torch.__version__,
        blas_threads=blas,
        weights='checkpoint' if args.checkpoint else 'random')
    result: dict = dict(meta=meta)
    if not args.skip_split:
        result.update(bench_split(cfg, args, device))
        print_split(result)
    if args.history_sweep:
        result.update(bench_history(cfg, args, device))
        print_history(result)
    if args.audio_frontend:
        result.update(
            bench_audio_frontend(args.audio_frontend, args.audio_fps,
                                 args.audio_history_seconds,
                                 args.audio_repeats))
        print_audio(result)
    if args.long_stream:
        result.update(bench_long_stream(cfg, args, device))
        print_long(result)
    result['peak_rss_mb'] = peak_rss_mb()
    result['meta']['load_avg_end'] = os.getloadavg() \
        if hasattr(os, 'getloadavg') else None
    if args.out:
        dump_json(result, args.out)
    return result


if __name__ == '__main__':
    main()
