# Copyright (c) seavis_mm contributors. All rights reserved.
"""Deployment of the per-frame network: ONNX export with the stream state
as explicit inputs and outputs, and the backends (eager PyTorch,
``torch.compile``, ONNX Runtime) that run it behind ``SeaVIS.track_frame``;
int8 quantisation of an export (``.quantize``) and the test-set score of a
backend (``.evaluate``).
"""
from .backends import (BACKENDS, CompileBackend, ModuleRunner,
                       ONNXRuntimeBackend, PyTorchBackend, build_frame_backend,
                       open_session)
from .frame_network import FrameNetwork, FrameSignature, probe_signature
from .onnx_export import (ExportError, check_exportable, export_onnx,
                          locate_unexportable, read_signature)

__all__ = [
    'BACKENDS', 'build_frame_backend', 'PyTorchBackend', 'CompileBackend',
    'ModuleRunner', 'open_session',
    'ONNXRuntimeBackend', 'FrameNetwork', 'FrameSignature',
    'probe_signature', 'export_onnx', 'read_signature', 'ExportError',
    'check_exportable', 'locate_unexportable'
]
