# Copyright (c) seavis_mm contributors. All rights reserved.
"""Models and example inputs for export and backend checks: the model from
a config (random weights without a checkpoint), and preprocessed frames
with their audio from the benchmarks' synthetic stream."""
from typing import Dict, Iterator, List, Optional, Tuple

import torch
from mmengine.config import Config
from torch import Tensor, nn

from seavis_mm.benchmark.models import (audio_past_context, build_seavis,
                                        load_cfg)
from seavis_mm.benchmark.streams import FramePreprocessor, synthetic_stream
from seavis_mm.datasets.audio import StreamingLogMel
from seavis_mm.utils import register_all_modules

# AVISeg's released per-frame VGGish features (audio_source='feat')
FEAT_DIMS = 128


def load_export_model(config: str, checkpoint: Optional[str] = None,
                      cfg_options: Optional[dict] = None
                      ) -> Tuple[nn.Module, Config]:
    """SeaVIS on the CPU in eval mode, and its config."""
    register_all_modules(init_default_scope=True)
    cfg = load_cfg(config, cfg_options, checkpoint)
    torch.manual_seed(0)
    return build_seavis(cfg, checkpoint, torch.device('cpu')), cfg


def example_frames(model: nn.Module, cfg: Config, shape: Tuple[int, int],
                   num: int) -> Iterator[Tuple[Tensor, Optional[Tensor],
                                               dict]]:
    """``num`` preprocessed frames ``[1, 3, Hp, Wp]``, their audio (as
    ``predict_frame`` gets it; None for audio-blind models) and metainfo,
    from the synthetic stream."""
    fps = float(cfg.get('fps', 1.0))
    prep = FramePreprocessor(cfg.model, torch.device('cpu'))
    source = cfg.get('test_dataloader', {}).get('dataset', {}).get(
        'audio_source', 'wav')
    logmel = StreamingLogMel(past_context=audio_past_context(cfg))
    g = torch.Generator().manual_seed(0)
    for k, (frame, chunk) in enumerate(
            synthetic_stream(num, tuple(shape), fps)):
        img, meta = prep(frame, k)
        audio = None
        if getattr(model, 'with_audio', False):
            if source == 'feat':
                audio = torch.randn(1, FEAT_DIMS, generator=g)
            else:
                logmel.push(chunk)
                audio = torch.from_numpy(logmel.patch_for_frame(
                    k, fps))[None, None]
        yield img, audio, meta


def _transforms(pipeline: list) -> Iterator[dict]:
    """Every transform of a pipeline, those inside wrappers too."""
    for t in pipeline or []:
        yield t
        yield from _transforms(t.get('transforms', []))


def pipeline_shape(cfg: Config) -> Tuple[int, int]:
    """``(H, W)`` of a 16:9 frame after the test pipeline's ``Resize``
    (a ``keep_ratio`` scale ``(long, short)`` gives the short side, the long
    side capped); 360 x 640 when the pipeline has no ``Resize``."""
    pipeline = cfg.get('test_dataloader', {}).get('dataset', {}).get(
        'pipeline', [])
    for t in _transforms(pipeline):
        if t.get('type') == 'Resize' and t.get('scale') is not None:
            w, h = t['scale']
            if not t.get('keep_ratio', False):
                return int(h), int(w)
            short, long = min(w, h), max(w, h)
            return int(short), int(min(long, round(short * 16 / 9)))
    return 360, 640


def example_inputs(model: nn.Module, cfg: Config,
                   shape: Optional[Tuple[int, int]]
                   ) -> Tuple[Tensor, Optional[Tensor]]:
    """One example frame and audio; ``shape`` defaults to the test
    pipeline's output size (:func:`pipeline_shape`)."""
    img, audio, _ = next(
        example_frames(model, cfg, shape or pipeline_shape(cfg), 1))
    return img, audio


def max_abs_diff(a: Dict[str, Tensor], b: Dict[str, Tensor]
                 ) -> Dict[str, float]:
    """Largest absolute difference per key (float tensors; others must be
    equal, reported as 0 or inf)."""
    out = {}
    for k in a:
        x, y = a[k].detach().cpu(), b[k].detach().cpu()
        if x.shape != y.shape:
            out[k] = float('inf')
        elif x.is_floating_point():
            out[k] = float((x - y).abs().max()) if x.numel() else 0.0
        else:
            out[k] = 0.0 if torch.equal(x, y) else float('inf')
    return out


def compare_backends(model: nn.Module, frames: List[Tuple], backend
                     ) -> Dict[str, float]:
    """Run the frames through ``model.forward_frame`` and ``backend`` with
    each carrying its own state; the largest difference per output and
    state key over the frames, and the largest fraction of mask pixels
    (logit > 0) that differ (``mask_pixels_differing``)."""
    ref_state = model.init_state(device='cpu')
    state = {k: v.clone() for k, v in ref_state.items()}
    worst: Dict[str, float] = {}
    with torch.no_grad():
        for img, audio, *_ in frames:
            ref_out, ref_state = model.forward_frame(img, audio, ref_state)
            out, state = backend(img, audio, state)
            diffs = max_abs_diff(ref_out, out)
            # the masks' pixels (logit > 0) that differ, as a fraction
            flips = float(((ref_out['mask_logits'] > 0) !=
                           (out['mask_logits'].to(ref_out['mask_logits'])
                            > 0)).float().mean())
            worst['mask_pixels_differing'] = max(
                worst.get('mask_pixels_differing', 0.0), flips)
            diffs.update({
                f'state.{k}': v
                for k, v in max_abs_diff(ref_state, state).items()
            })
            for k, v in diffs.items():
                worst[k] = max(worst.get(k, 0.0), v)
    return worst


def verify_onnx(model: nn.Module, cfg: Config, onnx_file: str,
                num: int = 3) -> Dict[str, float]:
    """The exported file against PyTorch on ``num`` synthetic frames of its
    size, the state carried (:func:`compare_backends`)."""
    from .backends import ONNXRuntimeBackend
    from .onnx_export import read_signature
    backend = ONNXRuntimeBackend(onnx_file=onnx_file)
    sig, _ = read_signature(onnx_file)
    frames = list(
        example_frames(model, cfg, tuple(sig.img_shape[-2:]), num))
    return compare_backends(model, frames, backend)


__all__ = [
    'load_export_model', 'example_frames', 'example_inputs',
    'pipeline_shape', 'max_abs_diff',
    'compare_backends', 'verify_onnx'
]
