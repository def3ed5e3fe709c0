# Copyright (c) seavis_mm contributors. All rights reserved.
"""Backends that run SeaVIS's per-frame network, ``(img, audio, state) ->
(outputs, new_state)``, each a drop-in for ``SeaVIS.forward_frame``:

- ``'pytorch'``: eager PyTorch (``model.forward_frame`` itself);
- ``'compile'``: ``torch.compile`` (inductor) of ``forward_frame``;
- ``'onnxruntime'``: the network exported to ONNX
  (:func:`~seavis_mm.deployment.export_onnx`) run by ONNX Runtime, the
  state passed in and out as arrays.

Post-processing and the tracker (``SeaVIS.track_frame``) and the log-mel
front end stay in Python, shared by every backend, so the backends differ
only in how the network is computed.
"""
import os.path as osp
import tempfile
from typing import Callable, Dict, Optional, Tuple

import torch
from torch import Tensor, nn

from .frame_network import FrameSignature, flat_inputs

BACKENDS = ('pytorch', 'onnxruntime', 'compile')
FrameFn = Callable[[Tensor, Optional[Tensor], Dict[str, Tensor]],
                   Tuple[Dict[str, Tensor], Dict[str, Tensor]]]


def open_session(path: str, threads: Optional[int] = None,
                 providers: Optional[list] = None):
    """An ONNX Runtime session with ``threads`` intra-op threads (default
    torch's thread count) and full graph optimisation."""
    try:
        import onnxruntime as ort
    except ImportError as e:
        raise ImportError(
            "backend='onnxruntime' needs onnx and onnxruntime: pip install "
            '-r requirements/deploy.txt') from e
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads or torch.get_num_threads()
    opts.inter_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(
        path, opts, providers=providers or ['CPUExecutionProvider'])


class ModuleRunner:
    """Any module with positional tensor inputs and a tuple of tensors out,
    run by a backend (the benchmarks run the plain Mask2Former reference
    this way, as SeaVIS's frame network is run).

    Args:
        module (nn.Module): The network (eval mode, CPU for ONNX Runtime).
        backend (str): One of :data:`BACKENDS`.
        work_dir (str): Where ONNX exports go.
        threads (int, optional): ONNX Runtime's intra-op threads.
        int8 (bool): With ONNX Runtime, quantise each export to int8
            (:func:`~seavis_mm.deployment.quantize.quantize_onnx`),
            calibrated on the inputs of its first call: for timing (the
            benchmarks' reference), not for accuracy.
    """

    def __init__(self, module: nn.Module, backend: str, work_dir: str,
                 threads: Optional[int] = None, int8: bool = False) -> None:
        if backend not in BACKENDS:
            raise ValueError(
                f'backend must be one of {BACKENDS}, got {backend!r}')
        if int8 and backend != 'onnxruntime':
            raise ValueError('int8 needs the onnxruntime backend')
        self.module, self.backend, self.int8 = module, backend, int8
        self.work_dir, self.threads = work_dir, threads
        self.fn = torch.compile(module, dynamic=False) \
            if backend == 'compile' else module
        self._sessions: Dict[Tuple, object] = {}

    def __call__(self, *args: Tensor) -> Tuple[Tensor, ...]:
        if self.backend != 'onnxruntime':
            out = self.fn(*args)
            return tuple(out) if isinstance(out, (tuple, list)) else (out, )
        key = tuple(tuple(a.shape) for a in args)
        if key not in self._sessions:
            from .onnx_export import export_module
            name = f'{type(self.module).__name__}_{len(self._sessions)}'
            path = osp.join(self.work_dir, name + '.onnx')
            names = [f'input_{i}' for i in range(len(args))]
            export_module(self.module, args, path, names, None)
            if self.int8:
                from .quantize import onnx_sibling, quantize_onnx
                path = quantize_onnx(
                    path, onnx_sibling(path, '_int8.onnx'),
                    [{n: a.detach().cpu().numpy()
                      for n, a in zip(names, args)}])
            self._sessions[key] = open_session(path, self.threads)
        sess = self._sessions[key]
        feeds = {
            i.name: a.detach().cpu().numpy()
            for i, a in zip(sess.get_inputs(), args)
        }
        return tuple(torch.from_numpy(v) for v in sess.run(None, feeds))


class PyTorchBackend:
    """Eager PyTorch: ``model.forward_frame``."""

    name = 'pytorch'

    def __init__(self, model: nn.Module) -> None:
        self.model = model

    def __call__(self, img, audio, state):
        return self.model.forward_frame(img, audio, state)


class CompileBackend:
    """``torch.compile`` of ``model.forward_frame`` (inductor, static
    shapes: a new frame size recompiles once).

    Args:
        model (nn.Module): SeaVIS, eval mode.
        mode (str, optional): ``torch.compile`` mode.
    """

    name = 'compile'

    def __init__(self, model: nn.Module, mode: Optional[str] = None) -> None:
        self.model = model
        self.fn = torch.compile(model.forward_frame, dynamic=False, mode=mode)

    def __call__(self, img, audio, state):
        return self.fn(img, audio, state)


class ONNXRuntimeBackend:
    """ONNX Runtime on the exported per-frame network.

    Args:
        model (nn.Module, optional): SeaVIS; exported on the first frame of
            each input size (into ``work_dir``) when no ``onnx_file`` is
            given.
        onnx_file (str, optional): A file from ``pytorch2onnx.py``; frames
            must have its input size (another size is refused, even with a
            ``model`` that could be exported).
        threads (int, optional): ONNX Runtime's intra-op threads; default
            torch's thread count.
        work_dir (str, optional): Where exports go (default a temporary
            folder).
        providers (list[str], optional): Execution providers (default
            ``CPUExecutionProvider``).
        calibration (list, optional): Network inputs ``(img, audio,
            state)`` (:func:`~seavis_mm.deployment.quantize.dataset_frames`
            or ``synthetic_frames``): when given, each export made here is
            quantised to int8, calibrated on those of the frame's size. (An
            ``onnx_file`` is run as it is: quantise it with
            ``pytorch2onnx.py --int8``.)
    """

    name = 'onnxruntime'

    def __init__(self,
                 model: Optional[nn.Module] = None,
                 onnx_file: Optional[str] = None,
                 threads: Optional[int] = None,
                 work_dir: Optional[str] = None,
                 providers: Optional[list] = None,
                 calibration: Optional[list] = None) -> None:
        if model is None and onnx_file is None:
            raise ValueError('ONNXRuntimeBackend needs a model or an '
                             'onnx_file')
        self.model = model
        self.threads = threads or torch.get_num_threads()
        self.providers = providers or ['CPUExecutionProvider']
        self.calibration = calibration
        self.onnx_file = onnx_file
        self._tmp = None
        if work_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix='seavis_onnx_')
            work_dir = self._tmp.name
        self.work_dir = work_dir
        # input shapes -> (session, signature)
        self._sessions: Dict[Tuple, Tuple[object, FrameSignature]] = {}
        if onnx_file is not None:
            from .onnx_export import read_signature
            sig, _ = read_signature(onnx_file)
            self._sessions[self._key_of(sig)] = (self._open(onnx_file), sig)

    @staticmethod
    def _key_of(sig: FrameSignature) -> Tuple:
        return (tuple(sig.img_shape), tuple(sig.audio_shape))

    def _open(self, path: str):
        return open_session(path, self.threads, self.providers)

    def session_for(self, img: Tensor, audio: Optional[Tensor],
                    state: Dict[str, Tensor]):
        """The session for this input size (exported on first use)."""
        key = (tuple(img.shape),
               tuple(audio.shape) if audio is not None else ())
        if key not in self._sessions:
            # a file the user chose (an int8 one, say) is never replaced by
            # an export made here for another frame size
            if self.model is None or self.onnx_file is not None:
                known = ', '.join(str(list(k[0])) for k in self._sessions)
                raise ValueError(
                    f'{self.onnx_file!r} was exported for input {known}, '
                    f'got a frame of {list(img.shape)}: export again with '
                    'pytorch2onnx.py --shape H W (the test pipeline\'s '
                    'size by default), or leave onnx_file out to export on '
                    'the fly')
            from .onnx_export import export_onnx
            path = osp.join(
                self.work_dir,
                'frame_' + '_'.join(str(s) for s in img.shape) + '.onnx')
            sig = export_onnx(
                self.model, path, img.detach().cpu(),
                audio.detach().cpu() if audio is not None else None,
                {k: v.detach().cpu()
                 for k, v in state.items()})
            if self.calibration is not None:
                path = self._quantize(path)
            self._sessions[key] = (self._open(path), sig)
        return self._sessions[key]

    def _quantize(self, path: str) -> str:
        """The int8 version of the export at ``path``, calibrated on the
        calibration frames of its size."""
        from .quantize import onnx_sibling, quantize_frame_network
        return quantize_frame_network(path, onnx_sibling(path, '_int8.onnx'),
                                      self.calibration)

    def __call__(self, img, audio, state):
        sess, sig = self.session_for(img, audio, state)
        feeds = {
            name: t.detach().cpu().numpy()
            for name, t in zip(sig.input_names,
                               flat_inputs(sig, img, audio, state))
        }
        values = sess.run(sig.output_names, feeds)
        values = [torch.from_numpy(v).to(img.device) for v in values]
        return sig.split_outputs(values)

    def __del__(self):
        if getattr(self, '_tmp', None) is not None:
            self._tmp.cleanup()


def build_frame_backend(model: nn.Module, backend: str = 'pytorch',
                        **kwargs) -> FrameFn:
    """A per-frame network runner by name.

    Args:
        model (nn.Module): SeaVIS in eval mode.
        backend (str): One of :data:`BACKENDS`.
        **kwargs: The backend's options (e.g. ``onnx_file``, ``threads``
            for ONNX Runtime, ``mode`` for compile).
    """
    if backend == 'pytorch':
        return PyTorchBackend(model, **kwargs)
    if backend == 'compile':
        return CompileBackend(model, **kwargs)
    if backend == 'onnxruntime':
        if next(model.parameters()).device.type != 'cpu' and \
                'providers' not in kwargs:
            raise ValueError("backend='onnxruntime' exports from a CPU "
                             'model; pass providers= for a GPU session')
        return ONNXRuntimeBackend(model, **kwargs)
    raise ValueError(f'backend must be one of {BACKENDS}, got {backend!r}')
