# Copyright (c) seavis_mm contributors. All rights reserved.
"""Int8 post-training quantisation of the exported per-frame network.

ONNX Runtime's static quantisation (``onnxruntime.quantization``, kept
rather than written here) rewrites the convolutions and matrix products of
an fp32 graph from :func:`~seavis_mm.deployment.export_onnx` into int8
(QDQ format: per-channel int8 weights, uint8 activations whose ranges come
from calibration frames). What is new here is only what SeaVIS needs
around it:

- calibration frames that are what the network sees in a stream: real
  frames of a dataset split through the test pipeline and the
  preprocessor, each with its audio patch and the CCAF state carried from
  the frames before (:func:`dataset_frames`; the synthetic stream of the
  benchmarks when only the speed matters);
- the signature metadata (inputs, outputs, initial state) copied into the
  quantised file, so that it is a drop-in ``onnx_file`` for
  ``OnlineAVISInferencer(..., backend='onnxruntime')`` and the demo.

Quantisation changes the outputs (it is not within 1e-3 of PyTorch): measure
a quantised model's accuracy before deploying it
(``tools/deployment/test_backend.py``, docs/en/user_guides/deployment.md).
"""
import copy
import os
import os.path as osp
import tempfile
from typing import Iterable, List, Optional, Sequence, Tuple

import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from torch import Tensor, nn

from .frame_network import flat_inputs

#: ONNX ops quantised by default: where the FLOPs are (convolutions, the
#: pixel decoder's FFNs and projections, the head's matrix products)
QUANT_OPS = ('Conv', 'MatMul', 'Gemm')

Frame = Tuple[Tensor, Optional[Tensor], dict]
#: calibration frames taken from one video at most (its first ones, so that
#: a stream's start, with a short audio history, is calibrated too)
PER_VIDEO = 8


class _Recorder:
    """A ``frame_forward`` that keeps each frame's network inputs (the
    state as it was before the frame) and computes the frame with the
    model."""

    def __init__(self, model: nn.Module, limit: int) -> None:
        self.model, self.limit = model, limit
        self.frames: List[Frame] = []

    def __call__(self, img, audio, state):
        if len(self.frames) < self.limit:
            self.frames.append(
                (img.detach().cpu().clone(),
                 None if audio is None else audio.detach().cpu().clone(),
                 {k: v.detach().cpu().clone()
                  for k, v in state.items()}))
        return self.model.forward_frame(img, audio, state)


def calibration_dataset_cfg(cfg: Config, split: str = 'train') -> dict:
    """The test dataset of ``cfg`` (test pipeline: no augmentation) on
    ``split``: ``'train'`` takes the training set's annotation file and
    folders (calibrating on the data that is evaluated would tune the
    int8 ranges to the answer key), ``'test'`` the test set itself."""
    if split not in ('train', 'test'):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    ds = copy.deepcopy(cfg.test_dataloader.dataset)
    if split == 'train':
        train = cfg.train_dataloader.dataset
        for key in ('data_root', 'ann_file', 'data_prefix'):
            if key in train:
                ds[key] = copy.deepcopy(train[key])
    return ds


def dataset_frames(model: nn.Module, cfg: Config, num_frames: int,
                   split: str = 'train') -> List[Frame]:
    """Up to ``num_frames`` network inputs ``(img, audio, state)`` from the
    videos of a split, in stream order (the state carried), at most
    :data:`PER_VIDEO` from a video and from videos spread over the split,
    so that they are not all one scene.

    Args:
        model (nn.Module): SeaVIS in eval mode, on the CPU.
        cfg (Config): Its config (datasets and pipelines).
        num_frames (int): How many frames to return.
        split (str): ``'train'`` or ``'test'`` (:func:`calibration_dataset_cfg`).
    """
    from seavis_mm.registry import DATASETS
    if num_frames < 1:
        raise ValueError(f'num_frames must be >= 1, got {num_frames}')
    dataset = DATASETS.build(calibration_dataset_cfg(cfg, split))
    if len(dataset) == 0:
        raise ValueError(f'the {split} split of the config has no video to '
                         'calibrate on')
    # up to PER_VIDEO frames a video, from videos spread over the split
    # (then the others, if they are short)
    stride = max(1, len(dataset) * PER_VIDEO // num_frames)
    order = list(range(0, len(dataset), stride)) + [
        i for i in range(len(dataset)) if i % stride
    ]
    frames: List[Frame] = []
    with torch.no_grad():
        for i in order:
            data = model.data_preprocessor(
                pseudo_collate([dataset[i]]), False)
            rec = _Recorder(model, min(PER_VIDEO, num_frames - len(frames)))
            model.predict(data['inputs'], data['data_samples'],
                          frame_forward=rec)
            frames += rec.frames
            if len(frames) >= num_frames:
                break
    return frames


def synthetic_frames(model: nn.Module, cfg: Config, shape: Sequence[int],
                     num_frames: int) -> List[Frame]:
    """``num_frames`` inputs from the benchmarks' synthetic stream, the
    state carried: for timing, where the int8 ranges do not matter."""
    from .inputs import example_frames
    state = model.init_state(device='cpu')
    frames: List[Frame] = []
    with torch.no_grad():
        for img, audio, _ in example_frames(model, cfg, tuple(shape),
                                            num_frames):
            frames.append((img, audio, {k: v.clone()
                                        for k, v in state.items()}))
            _, state = model.forward_frame(img, audio, state)
    return frames


def onnx_sibling(path: str, suffix: str) -> str:
    """``path`` without its ``.onnx`` extension (if it has one), plus
    ``suffix``: ``a.onnx`` -> ``a_int8.onnx`` / ``a.fp32.onnx``."""
    stem = path[:-len('.onnx')] if path.endswith('.onnx') else path
    return stem + suffix


def quantize_onnx(src: str,
                  dst: str,
                  feeds: Iterable[dict],
                  op_types: Sequence[str] = QUANT_OPS,
                  per_channel: bool = True,
                  reduce_range: bool = True) -> str:
    """Static int8 quantisation of any ONNX file (QDQ, per-channel int8
    weights, uint8 activations calibrated on ``feeds``), keeping its
    metadata (a SeaVIS frame network stays loadable by
    :func:`~seavis_mm.deployment.read_signature`).

    ``reduce_range`` keeps the weights to 7 bits. ONNX Runtime's uint8 x
    int8 kernels on x86 CPUs without VNNI (AVX2, AVX-512 before Cascade
    Lake) add pairs of products in 16 bits, which saturate with full-range
    weights: measured on this project's AVX2 host, a two-layer conv net was
    off by 13% of its output range with 8-bit weights and by 1.4% with
    7-bit ones (0.9% mean either way with uint8 weights, a slower kernel).

    Args:
        src (str): The fp32 ``.onnx`` file.
        dst (str): Where the int8 file goes.
        feeds (Iterable[dict]): Calibration inputs, ``{input name: numpy
            array}`` each.
        op_types (Sequence[str]): ONNX op types to quantise.
        per_channel (bool): Per-output-channel weight scales.
        reduce_range (bool): 7-bit weights (see above). Defaults to True.

    Returns:
        str: ``dst``.
    """
    try:
        import onnx
        from onnxruntime.quantization import (CalibrationDataReader,
                                              QuantFormat, QuantType,
                                              quantize_static)
        from onnxruntime.quantization.shape_inference import \
            quant_pre_process
    except ImportError as e:
        raise ImportError('int8 quantisation needs onnx and onnxruntime: '
                          'pip install -r requirements/deploy.txt') from e
    feeds = list(feeds)
    if not feeds:
        raise ValueError('quantize_onnx needs at least one calibration '
                         'input')

    class _Reader(CalibrationDataReader):

        def __init__(self) -> None:
            self._it = iter(feeds)

        def get_next(self):
            return next(self._it, None)

    os.makedirs(osp.dirname(osp.abspath(dst)), exist_ok=True)
    with tempfile.TemporaryDirectory(prefix='seavis_q8_') as tmp:
        # shape inference and graph clean-up first, as ONNX Runtime
        # recommends; the symbolic pass is for dynamic shapes, ours are
        # static
        pre = osp.join(tmp, 'pre.onnx')
        quant_pre_process(src, pre, skip_symbolic_shape=True)
        quantize_static(
            pre,
            dst,
            _Reader(),
            quant_format=QuantFormat.QDQ,
            per_channel=per_channel,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            reduce_range=reduce_range,
            op_types_to_quantize=list(op_types))
    meta = {
        p.key: p.value
        for p in onnx.load(src, load_external_data=False).metadata_props
    }
    if meta:
        proto = onnx.load(dst)
        onnx.helper.set_model_props(proto, meta)
        onnx.save(proto, dst)
    return dst


def frame_feeds(signature, frames: Iterable[Frame]) -> List[dict]:
    """Calibration inputs of a SeaVIS frame network, by input name."""
    return [{
        name: t.detach().cpu().numpy()
        for name, t in zip(signature.input_names,
                           flat_inputs(signature, img, audio, state))
    } for img, audio, state in frames]


def quantize_frame_network(src: str, dst: str, frames: Iterable[Frame],
                           op_types: Sequence[str] = QUANT_OPS) -> str:
    """:func:`quantize_onnx` of a file from
    :func:`~seavis_mm.deployment.export_onnx`, calibrated on the network
    inputs ``(img, audio, state)`` (:func:`dataset_frames`) of its frame
    size.

    Raises:
        ValueError: no calibration frame has the export's size.
    """
    from .onnx_export import read_signature
    sig, _ = read_signature(src)
    frames = list(frames)
    fit = [f for f in frames if list(f[0].shape) == list(sig.img_shape)]
    if not fit:
        sizes = sorted({tuple(f[0].shape) for f in frames})
        raise ValueError(
            f'{src!r} was exported for frames of {sig.img_shape}; no '
            f'calibration frame has that size (got {sizes}): export at the '
            "test pipeline's size (pytorch2onnx.py --shape)")
    return quantize_onnx(src, dst, frame_feeds(sig, fit), op_types)


__all__ = [
    'QUANT_OPS', 'calibration_dataset_cfg', 'dataset_frames', 'onnx_sibling',
    'synthetic_frames', 'quantize_onnx', 'frame_feeds',
    'quantize_frame_network'
]
