# Copyright (c) seavis_mm contributors. All rights reserved.
"""Per-frame latency of SeaVIS, split into parts, against a plain per-frame
Mask2Former measured in the same run.

The online path (:meth:`SeaVIS.predict_frame` with the incremental log-mel
front end) is timed per part (backbone, pixel decoder, audio front end,
audio encoder, CCAF, head decoder, head post-processing, instance
embeddings, tracker), and mmdet's plain ``Mask2Former`` (same backbone, pixel
decoder and decoder settings, the config's number of queries, mmdet's
instance post-processing) on the same preprocessed frames. The two models
run interleaved frame by frame (ABBA order) in the same process with the
same thread count, so machine load weighs on both alike; the key figure is
``overhead_ratio = SeaVIS ms / reference ms``.
"""
import contextlib
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from mmengine.config import Config
from mmengine.logging import print_log
from torch import Tensor

from seavis_mm.datasets.audio import StreamingLogMel
from seavis_mm.deployment.backends import BACKENDS
from seavis_mm.models.layers import msda_implementation
from .models import (ReferenceNetwork, audio_past_context, build_reference,
                     build_seavis, decode_reference_like_seavis, held_frames,
                     history_desc, num_params_m, prefill_history,
                     run_reference_network_with)
from .streams import FramePreprocessor, synthetic_stream, video_stream
from .timing import PartTimer, clocks, summarize
from seavis_mm.utils.runtime_info import peak_rss_mb, rss_mb

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


def wrap_seavis(timer: PartTimer, model) -> None:
    """Time SeaVIS's parts."""
    timer.wrap(model.backbone, 'forward', 'backbone')
    timer.wrap(model.track_head, 'pixel_decode', 'pixel_decoder')
    if model.audio_encoder is not None:
        timer.wrap(model.audio_encoder, 'forward', 'audio_encoder')
    if model.audio_fusion is not None:
        timer.wrap(model.audio_fusion, 'forward', 'audio_fusion')
    if model.neck is not None:
        timer.wrap(model.neck, 'forward_state', 'ccaf')
    timer.wrap(model.track_head, 'decode', 'head_decoder')
    timer.wrap(model.track_head, 'postprocess_frame', 'head_postprocess')
    timer.wrap(model.track_head, 'instance_embeds', 'embeddings')
    timer.wrap(model.track_head, 'audio_anchors', 'embeddings')
    timer.wrap(model.tracker, 'track', 'tracker')


def wrap_seavis_post(timer: PartTimer, model) -> None:
    """Time what SeaVIS runs in Python after a backend's network."""
    timer.wrap(model.track_head, 'postprocess_frame', 'head_postprocess')
    timer.wrap(model.tracker, 'track', 'tracker')


def wrap_reference(timer: PartTimer, model) -> None:
    """Time the reference's parts."""
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


#: what ``benchmark_stream.py --backend`` times: the deployment backends,
#: and ONNX Runtime on int8-quantised exports of both models
BENCH_BACKENDS = BACKENDS + ('onnxruntime-int8', )


class _Contender:
    """One backend's SeaVIS and reference, their timers and runs.

    ``onnxruntime-int8`` quantises SeaVIS's export calibrated on
    ``calibration`` (network inputs of the stream's frame size) and the
    reference's on its first frame; with random weights the int8 ranges
    mean nothing, and only the speed is measured.
    """

    def __init__(self, backend: str, seavis, reference, work_dir: str,
                 threads: int, device: torch.device,
                 calibration: Optional[list] = None) -> None:
        from seavis_mm.deployment import ModuleRunner, build_frame_backend
        self.backend = backend
        self.seavis, self.reference = seavis, reference
        self.timer, self.ref_timer = PartTimer(device), PartTimer(device)
        self.frame_forward = None
        if backend == 'pytorch':
            # eager: every part of the network timed on its own
            wrap_seavis(self.timer, seavis)
            if reference is not None:
                wrap_reference(self.ref_timer, reference)
        else:
            int8 = backend == 'onnxruntime-int8'
            runtime = 'onnxruntime' if int8 else backend
            options = dict(threads=threads, work_dir=work_dir) \
                if runtime == 'onnxruntime' else {}
            if int8:
                options['calibration'] = calibration
            self.frame_forward = _Timed(
                build_frame_backend(seavis, runtime, **options), self.timer,
                'network')
            wrap_seavis_post(self.timer, seavis)
            if reference is not None:
                run_reference_network_with(
                    reference,
                    _Timed(
                        ModuleRunner(
                            ReferenceNetwork(reference).eval(), runtime,
                            work_dir, threads, int8=int8), self.ref_timer,
                        'network'))
                self.ref_timer.wrap(reference.panoptic_head, 'predict',
                                    'head_postprocess')
                self.ref_timer.wrap(reference.panoptic_fusion_head,
                                    'predict', 'head_postprocess')
        # per model: list of ([wall, cpu] ms, (wall parts, cpu parts))
        self.runs: Dict[str, list] = dict(s=[], r=[])
        self.upsampled = _UpsampleCounter(seavis.track_head)

    def unwrap(self) -> None:
        self.timer.unwrap()
        self.ref_timer.unwrap()
        self.upsampled.unwrap()


class _UpsampleCounter:
    """How many query masks SeaVIS's post-processing upsamples per frame:
    only those that can pass the tracker's score threshold, a few for a
    trained model and often none for random weights, so the
    ``head_postprocess`` time is read with it (benchmark with
    ``--cfg-options model.tracker.score_thr=0
    model.tracker.init_score_thr=0`` for every query)."""

    def __init__(self, head) -> None:
        self.counts: List[int] = []
        self._head = head
        orig = head._upsample_masks

        def counted(mask_pred: Tensor, img_meta: dict, **kwargs):
            self.counts.append(int(mask_pred.shape[0]))
            return orig(mask_pred, img_meta, **kwargs)

        head._upsample_masks = counted

    def mean(self) -> float:
        return float(np.mean(self.counts)) if self.counts else 0.0

    def unwrap(self) -> None:
        if '_upsample_masks' in vars(self._head):
            del self._head._upsample_masks


class _Timed:
    """A callable charged to ``part`` of ``timer``."""

    def __init__(self, fn, timer: PartTimer, part: str) -> None:
        self.fn = fn
        timer.wrap(self, 'fn', part)

    def __call__(self, *args):
        return self.fn(*args)


def bench_split(cfg: Config, args, device: torch.device) -> dict:
    """Interleaved per-frame timing of SeaVIS and the reference, on one or
    more backends.

    Args:
        cfg (Config): The SeaVIS config.
        args: ``checkpoint``, ``no_reference``, ``warmup``, ``frames``,
            ``shape``, ``video``, ``prefill_history``, ``fp16``,
            ``verbose``, ``backend`` (list of names), ``threads`` (the
            tool's arguments).
        device (torch.device): Where the models run.

    Returns:
        dict: the first backend's figures (``seavis_ms_per_frame``,
        ``parts_ms``, ``reference_ms_per_frame``, ``overhead_ratio``, ...;
        wall clock at the top level, CPU time under ``cpu``) and every
        backend's under ``backends``.
    """
    import tempfile

    from mmdet.structures import DetDataSample

    backends = list(getattr(args, 'backend', None) or ['pytorch'])
    if len(set(backends)) != len(backends):
        raise ValueError(f'--backend names a backend twice: {backends}')
    work_dir = tempfile.mkdtemp(prefix='seavis_bench_')
    fps = float(cfg.get('fps', 1.0))
    total = args.warmup + args.frames
    shape = tuple(args.shape)
    stream = video_stream(args.video, total, shape, fps) if args.video \
        else list(synthetic_stream(total, shape, fps))
    prep = FramePreprocessor(cfg.model, device)
    first = build_seavis(cfg, args.checkpoint, device)
    contenders = []
    for name in backends:
        # one model per backend (same weights), so that each carries its
        # own stream state and tracks
        seavis = first if not contenders else build_seavis(cfg, None, device)
        if seavis is not first:
            seavis.load_state_dict(first.state_dict())
        reference, copied = (None, 0) if args.no_reference else \
            build_reference(cfg, device, seavis)
        if reference is not None:
            decode_reference_like_seavis(
                reference, getattr(seavis.track_head, 'test_all_masks', True))
        calibration = None
        if name == 'onnxruntime-int8':
            from seavis_mm.deployment.quantize import synthetic_frames
            calibration = synthetic_frames(seavis, cfg, shape, 4)
        contenders.append(
            _Contender(name, seavis, reference, work_dir, args.threads,
                       device, calibration))
    logmels = [
        StreamingLogMel(past_context=int(audio_past_context(cfg)))
        for _ in contenders
    ]
    # Steady state: a bounded CCAF history is full after K frames, so fill
    # it first (and number frames from 1, so that predict_frame does not
    # reset the stream); otherwise a short run would time a shorter history.
    prefilled = bool(args.prefill_history and first.neck is not None
                     and first.neck.history != 'unbounded')
    for c in contenders:
        c.seavis.reset_stream()
        if prefilled:
            prefill_history(c.seavis)
    frame_offset = 1 if prefilled else 0

    def run_seavis(c: _Contender, logmel, k: int, img: Tensor, meta: dict,
                   chunk: np.ndarray):
        seavis, timer = c.seavis, c.timer
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
            seavis.predict_frame(img, audio, sample,
                                 frame_forward=c.frame_forward)
        timer.sync()
        return (clocks() - start) * 1e3, timer.pop()

    def run_reference(c: _Contender, img: Tensor, meta: dict):
        c.ref_timer.sync()
        start = clocks()
        sample = DetDataSample(metainfo=meta)
        # the reference's pixel decoder runs SeaVIS's MSDeformAttn too
        with torch.no_grad(), _autocast(device, args.fp16), \
                msda_implementation(c.seavis.msda_impl):
            c.reference.predict(img, [sample], rescale=True)
        c.ref_timer.sync()
        return (clocks() - start) * 1e3, c.ref_timer.pop()

    rss_start = rss_mb()
    for k, (frame, chunk) in enumerate(stream):
        img, meta = prep(frame, k + frame_offset)
        # backends in turn, the first one rotating; within a backend ABBA:
        # nothing always runs first (caches, turbo, load)
        order = list(range(len(contenders)))
        order = order[k % len(order):] + order[:k % len(order)]
        for i in order:
            c = contenders[i]
            if c.reference is None:
                results = [('s', run_seavis(c, logmels[i], k, img, meta,
                                            chunk))]
            elif k % 2 == 0:
                results = [('s', run_seavis(c, logmels[i], k, img, meta,
                                            chunk)),
                           ('r', run_reference(c, img, meta))]
            else:
                r = run_reference(c, img, meta)
                results = [('s', run_seavis(c, logmels[i], k, img, meta,
                                            chunk)), ('r', r)]
            if args.verbose:
                print_log(
                    f'frame {k}{" (warm-up)" if k < args.warmup else ""} '
                    f'[{c.backend}]: ' +
                    '  '.join(f'{w} {ms[0]:.1f} ms (cpu {ms[1]:.1f})'
                              for w, (ms, _) in results),
                    logger='current')
            if k >= args.warmup:
                for who, run in results:
                    c.runs[who].append(run)
    upsampled = {c.backend: c.upsampled.mean() for c in contenders}
    for c in contenders:
        c.unwrap()

    result = dict(
        frames=args.frames,
        warmup=args.warmup,
        shape=list(shape),
        stream=args.video or 'synthetic',
        seavis_params_m=num_params_m(first),
        cache_len=held_frames(first.stream_state),
        history=history_desc(cfg),
        history_prefilled=bool(prefilled),
        msda_impl=getattr(first, 'msda_impl', 'mmcv'),
        # 'last': only the last decoder layer's full-resolution masks at
        # inference (both models), 'all': mmdet's every layer
        decoder_masks='all' if getattr(first.track_head, 'test_all_masks',
                                       True) else 'last',
    )
    if contenders[0].reference is not None:
        result.update(
            reference_params_m=num_params_m(contenders[0].reference),
            reference_shared_tensors=copied)
    per_backend = {}
    for c in contenders:
        figs = {}
        # wall clock at the top level (the issue's keys), CPU time in 'cpu'
        for clock, idx in (('wall', 0), ('cpu', 1)):
            res = split_figures(
                [(ms[idx], parts[idx]) for ms, parts in c.runs['s']],
                [(ms[idx], parts[idx]) for ms, parts in c.runs['r']])
            if clock == 'wall':
                figs.update(res)
            else:
                figs['cpu'] = res
        figs['queries_upsampled_per_frame'] = upsampled[c.backend]
        per_backend[c.backend] = figs
    result['backend'] = backends[0]
    result.update(per_backend[backends[0]])
    result['backends'] = per_backend
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


def split_figures(s_runs: List[Tuple[float, Dict[str, float]]],
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


def format_split(res: dict) -> str:
    """The split's tables as text."""
    lines = [f'Per-frame latency at {res["shape"][0]}x{res["shape"][1]}, '
             f'{res["frames"]} frames after {res["warmup"]} warm-up '
             f'({res["stream"]} stream, CCAF history: {res["history"]})']
    for backend, figs in res.get('backends', {'': res}).items():
        prefix = f'[{backend}] ' if backend else ''
        lines += _format_clock(prefix + 'wall clock', figs)
        lines += _format_clock(prefix + 'CPU time', figs['cpu'])
        if 'queries_upsampled_per_frame' in figs:
            lines.append(f'{prefix}query masks upsampled per frame: '
                         f'{figs["queries_upsampled_per_frame"]:.1f} (those '
                         'that can pass the tracker\'s score_thr)')
    lines.append(f'peak RSS {res["peak_rss_mb"]:.0f} MB (both models in '
                 'one process)')
    return '\n'.join(lines)


def _format_clock(clock: str, res: dict) -> List[str]:
    has_ref = 'reference' in res
    header = f'{clock:<30}{"mean ms":>9}{"p50 ms":>9}{"p95 ms":>9}' \
             f'{"fps":>8}'
    lines = ['', header, '-' * len(header)]
    rows = [('SeaVIS (online path)', res['seavis'])]
    if has_ref:
        rows.append(('Mask2Former (reference)', res['reference']))
    for name, s in rows:
        lines.append(f'{name:<30}{s["mean"]:>9.1f}{s["p50"]:>9.1f}'
                     f'{s["p95"]:>9.1f}{s["fps"]:>8.2f}')
    if has_ref:
        lines.append(
            f'overhead SeaVIS / reference: {res["overhead_ratio"]:.3f} '
            f'(means), {res["overhead_ratio_p50"]:.3f} (medians), '
            f'{res["overhead_ratio_paired_median"]:.3f} (median of '
            'per-frame pairs)')
        lines.append(
            f'additive estimate (reference + SeaVIS-only parts, '
            f'{res["seavis_only_ms"]:.1f} ms): '
            f'{res["overhead_ratio_additive"]:.3f}')
    lines.append(f'{"part (mean ms/frame)":<26}{"SeaVIS":>9}' +
                 (f'{"M2F":>9}{"diff":>9}' if has_ref else ''))
    names = list(dict.fromkeys(
        list(res['parts_ms']) + list(res.get('reference_parts_ms', {}))))
    names = [n for n in names if n != 'head'] + ['head']
    for name in names:
        s = res['parts_ms'].get(name, 0.0)
        line = f'  {name:<24}{s:>9.2f}'
        if has_ref:
            r = res['reference_parts_ms'].get(name, 0.0)
            line += f'{r:>9.2f}{s - r:>+9.2f}'
        lines.append(line)
    return lines
