# Copyright (c) seavis_mm contributors. All rights reserved.
"""Export SeaVIS's per-frame network to ONNX with the stream state as
explicit inputs and outputs.

The graph maps ``img`` ``[1, 3, H, W]`` (preprocessed, padded), ``audio``
(the frame's log-mel patch or feature) and ``state.<key>`` (the CCAF audio
history, whatever the neck carries) to the head's per-query outputs
(``cls_logits``, ``mask_logits``, ``embeds``, ``anchor``, ...) and
``new_state.<key>``. A runtime keeps a stream going by feeding each frame's
``new_state.*`` back as the next frame's ``state.*``, starting from the
model's initial state, which is stored in the file
(:func:`initial_state`). The log-mel front end and the tracker stay in
Python (``SeaVIS.track_frame``), shared by every backend.

The input size is fixed at export time (the traced graph holds the
feature-map sizes as constants, as mmdeploy's static configs do); export
once per stream resolution.
"""
import contextlib
import io
import json
import os
import os.path as osp
import warnings
from typing import Dict, Iterator, List, Optional, Tuple

import numpy as np
import torch
from torch import Tensor, nn

from seavis_mm.models.layers import msda_implementation
from .frame_network import (FrameNetwork, FrameSignature, flat_inputs,
                            probe_signature)

META_KEY = 'seavis_frame_signature'
STATE_META_KEY = 'seavis_initial_state'
DEFAULT_OPSET = 17


class ExportError(RuntimeError):
    """A part of the per-frame network cannot be exported."""


@contextlib.contextmanager
def traced_msda(model: nn.Module, impl: str) -> Iterator[None]:
    """Trace the multi-scale deformable attention formulation ``impl``
    whatever ``model.msda_impl`` says: SeaVIS swaps its own formulation in
    around the pixel decoder, inside any outer swap, so the model's
    attribute is set for the block as well."""
    own = getattr(model, 'msda_impl', None)
    if own is not None:
        model.msda_impl = impl
    try:
        with msda_implementation(impl):
            yield
    finally:
        if own is not None:
            model.msda_impl = own


def export_module(module: nn.Module,
                  args: Tuple,
                  f,
                  input_names: Optional[List[str]],
                  output_names: Optional[List[str]],
                  opset: int = DEFAULT_OPSET) -> None:
    """``torch.onnx.export`` by tracing (TorchScript exporter: mmcv's and
    mmdet's modules read feature-map sizes as Python numbers, which the
    tracer records as constants of this input size; ``torch.export``
    refuses them as data-dependent)."""
    with warnings.catch_warnings():
        # the tracer warns about every shape read as a constant: the graph
        # is exported for one input size on purpose
        warnings.filterwarnings('ignore', category=torch.jit.TracerWarning)
        warnings.filterwarnings('ignore', category=UserWarning)
        warnings.filterwarnings('ignore', category=DeprecationWarning)
        torch.onnx.export(
            module,
            args,
            f,
            input_names=input_names,
            output_names=output_names,
            opset_version=opset,
            do_constant_folding=True,
            dynamo=False)


def _first_inputs(model: nn.Module, run) -> List[Tuple[str, nn.Module,
                                                       Tuple]]:
    """The positional inputs of each submodule's first call during
    ``run()`` (submodules up to two levels deep), in call order."""
    seen: Dict[str, Tuple[nn.Module, Tuple]] = {}
    hooks = []
    for name, mod in model.named_modules():
        if not name or name.count('.') > 1:
            continue

        def hook(m, args, name=name):
            if name not in seen and all(
                    isinstance(a, (Tensor, list, tuple)) for a in args):
                seen[name] = (m, args)

        hooks.append(mod.register_forward_pre_hook(hook))
    try:
        with torch.no_grad():
            run()
    finally:
        for h in hooks:
            h.remove()
    return [(name, m, args) for name, (m, args) in seen.items()]


def locate_unexportable(model: nn.Module, img: Tensor,
                        audio: Optional[Tensor], state: Dict[str, Tensor],
                        opset: int = DEFAULT_OPSET) -> List[str]:
    """The submodules that fail to export on their own, as
    ``'name (Type): error'``, deepest first."""
    calls = _first_inputs(model,
                          lambda: model.forward_frame(img, audio, state))
    failed = []
    for name, mod, args in sorted(
            calls, key=lambda c: -c[0].count('.')):
        try:
            export_module(mod, args, io.BytesIO(), [], [], opset)
        except Exception as e:  # noqa: BLE001 - any failure names the part
            first = str(e).strip().splitlines()[0] if str(e).strip() \
                else type(e).__name__
            failed.append(f'{name} ({type(mod).__name__}): {first[:300]}')
    return failed


def check_exportable(model: nn.Module) -> None:
    """Refuse models whose state cannot be a fixed-shape tensor set.

    Raises:
        ExportError: naming the part (e.g. CCAF with an unbounded
            history, whose state grows every frame).
    """
    neck = getattr(model, 'neck', None)
    if neck is not None and not getattr(neck, 'exportable_state', True):
        raise ExportError(
            f'neck ({type(neck).__name__}, '
            f'history={getattr(neck, "history", "?")!r}) cannot be '
            'exported: its stream state has no fixed shape (an unbounded '
            "audio history grows every frame); use history='ring' or "
            "'summary' (model.neck.history) for deployment")


def export_onnx(model: nn.Module,
                path: str,
                img: Tensor,
                audio: Optional[Tensor],
                state: Optional[Dict[str, Tensor]] = None,
                opset: int = DEFAULT_OPSET,
                msda_impl: str = 'levels') -> FrameSignature:
    """Export ``model.forward_frame`` at the size of ``img``.

    Args:
        model (nn.Module): SeaVIS, eval mode, on the CPU.
        path (str): The ``.onnx`` file to write.
        img (Tensor): An example preprocessed frame ``[1, 3, H, W]``.
        audio (Tensor, optional): An example audio input (None for
            audio-blind models).
        state (dict, optional): The state to trace with; default the
            model's initial state (``model.init_state()``).
        opset (int): ONNX opset. Defaults to 17.
        msda_impl (str): The multi-scale deformable attention formulation
            to trace. Defaults to ``'levels'`` whatever the model uses in
            PyTorch (``'gather'`` by default there): mmcv's ``grid_sample``
            path (ONNX's ``GridSample``, which ONNX Runtime ran 1.5x faster
            than the gather formulation's ``Gather`` + ``MatMul``) without
            its stacked tensor of every level's samples
            (docs/en/benchmarks.md).

    Returns:
        FrameSignature: The graph's inputs and outputs (also stored in the
        file's metadata).

    Raises:
        ExportError: naming the part that cannot be exported.
    """
    import onnx

    check_exportable(model)
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    if state is None:
        state = model.init_state(device=img.device)
    sig = probe_signature(model, img, audio, state)
    net = FrameNetwork(model, sig).eval()
    impl = msda_impl
    try:
        with torch.no_grad(), traced_msda(model, impl):
            export_module(net, flat_inputs(sig, img, audio, state), path,
                    sig.input_names, sig.output_names, opset)
    except OSError:
        raise  # the file, not the model
    except Exception as e:
        with traced_msda(model, impl):
            parts = locate_unexportable(model, img, audio, state, opset)
        where = '; '.join(parts) if parts else \
            'the wiring in SeaVIS.forward_frame itself (every submodule ' \
            'exports on its own)'
        raise ExportError(
            f'cannot export {type(model).__name__}.forward_frame to ONNX '
            f'(opset {opset}): {where}. First error: {e}') from e
    proto = onnx.load(path)
    meta = {p.key: p.value for p in proto.metadata_props}
    meta[META_KEY] = json.dumps(sig.to_dict())
    meta[STATE_META_KEY] = json.dumps({
        k: v.detach().cpu().numpy().tolist()
        for k, v in model.init_state(device='cpu').items()
    })
    onnx.helper.set_model_props(proto, meta)
    onnx.save(proto, path)
    return sig


def read_signature(path: str) -> Tuple[FrameSignature, Dict[str, Tensor]]:
    """The signature and initial state stored by :func:`export_onnx`.

    Raises:
        ValueError: the file was not written by :func:`export_onnx`.
    """
    import onnx

    proto = onnx.load(path, load_external_data=False)
    meta = {p.key: p.value for p in proto.metadata_props}
    if META_KEY not in meta:
        raise ValueError(
            f'{path!r} has no {META_KEY!r} metadata: not a SeaVIS frame '
            'network exported by tools/deployment/pytorch2onnx.py')
    sig = FrameSignature.from_dict(json.loads(meta[META_KEY]))
    init = json.loads(meta.get(STATE_META_KEY, '{}'))
    state = {
        k: torch.from_numpy(
            np.asarray(init[k], dtype=sig.state_dtypes[k]).reshape(
                sig.state_shapes[k]))
        for k in sig.state_keys
    }
    return sig, state
