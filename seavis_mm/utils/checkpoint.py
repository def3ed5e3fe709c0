# Copyright (c) seavis_mm contributors. All rights reserved.
"""Safe checkpoint loading for mmengine 0.10.7 on torch >= 2.6.

torch >= 2.6 loads with ``weights_only=True`` by default: only tensors,
containers and allow-listed classes are unpickled, so a downloaded file can
not run code. mmengine 0.10.7 stores a few more classes in its checkpoints
(``HistoryBuffer`` in the message hub, numpy arrays and scalars in the logged
values), so plain ``torch.load`` refuses our own checkpoints and ``--resume``
breaks. We fix it in one place: allow-list exactly those classes (never
``weights_only=False``), and route mmengine's local-file loader through
:func:`safe_torch_load`, which turns torch's refusal into an error that names
the file and the offending global.

One more object needs care: ``HistoryBuffer.__getstate__`` pickles its
statistics methods (``HistoryBuffer.min`` ...), and pickle writes a method
of a class as ``builtins.getattr(HistoryBuffer, 'min')``. Allow-listing
``getattr`` itself would let a file fetch any attribute of any allow-listed
object, so the name ``builtins.getattr`` is instead bound to
:func:`_history_buffer_getattr`, which returns only HistoryBuffer's
statistics methods and refuses everything else.
"""
import os
import pickle
import zipfile
from typing import Any, Callable, List, Optional

import numpy as np
import torch

_REGISTERED = False


class CheckpointLoadError(RuntimeError):
    """A checkpoint file could not be loaded (base of the two below)."""


class UnsafeCheckpointError(CheckpointLoadError):
    """A checkpoint holds objects outside the allow-list (it could run code
    when unpickled), so it was refused."""


class CorruptCheckpointError(CheckpointLoadError):
    """A checkpoint file is truncated (e.g. a run killed while saving it),
    empty, or not a torch checkpoint at all."""


def _weights_unpickler_reason(message: str) -> str:
    """The line of torch's weights_only refusal that says what was refused
    (torch's first lines advise ``weights_only=False``, which we never
    do)."""
    marker = 'WeightsUnpickler error:'
    if marker in message:
        message = message.split(marker, 1)[1]
    boilerplate = ('Weights only load failed', 'Check the documentation',
                   '(1)', '(2)', 'In PyTorch 2.6', 'Please file an issue')
    lines = [
        line.strip() for line in message.splitlines()
        if line.strip() and not line.strip().startswith(boilerplate)
    ]
    reason = lines[0] if lines else message.strip()
    return reason.split('. Please use `torch.serialization')[0]


def _history_buffer_getattr(obj: Any, name: str) -> Callable:
    """What a checkpoint's ``builtins.getattr`` means under
    :func:`safe_torch_load`: only ``getattr(HistoryBuffer, <statistics
    method>)`` (how pickle spells ``HistoryBuffer.min``)."""
    from mmengine.logging.history_buffer import HistoryBuffer

    # the defaults plus any registered with HistoryBuffer.register_statistics
    allowed = {'min', 'max', 'current', 'mean'}
    allowed |= set(HistoryBuffer._statistics_methods)
    if obj is HistoryBuffer and isinstance(name, str) and name in allowed:
        attr = getattr(HistoryBuffer, name, None)
        if callable(attr):
            return attr
    raise pickle.UnpicklingError(
        f'Unsupported global: GLOBAL builtins.getattr({obj!r}, {name!r}): '
        'a checkpoint may only fetch the statistics methods of mmengine\'s '
        'HistoryBuffer this way')


def mmengine_checkpoint_globals() -> List[Any]:
    """The classes and functions that mmengine 0.10.7 pickles into a
    checkpoint beside tensors (found with
    ``torch.serialization.get_unsafe_globals_in_checkpoint`` on a checkpoint
    of a real training run, which lists ``numpy.dtype``,
    ``numpy._core.multiarray._reconstruct``, ``numpy._core.multiarray.scalar``,
    ``numpy.ndarray``, ``mmengine.logging.history_buffer.HistoryBuffer`` and
    ``builtins.getattr``; tests/engine/test_checkpoint.py keeps this list
    honest). ``getattr`` enters as ``(_history_buffer_getattr,
    'builtins.getattr')``: the name, bound to the restricted function."""
    from mmengine.logging.history_buffer import HistoryBuffer

    # numpy moved its core to ``numpy._core`` in 2.0; pickles name whichever
    # module wrote them, so allow both spellings where they exist.
    globs: List[Any] = [
        HistoryBuffer, np.ndarray, np.dtype,
        (_history_buffer_getattr, 'builtins.getattr')
    ]
    for mod_name in ('numpy._core.multiarray', 'numpy.core.multiarray'):
        try:
            mod = __import__(mod_name, fromlist=['_reconstruct', 'scalar'])
        except ImportError:  # pragma: no cover - depends on numpy version
            continue
        globs += [mod._reconstruct, mod.scalar]
    # dtype classes (``numpy.dtypes.Float64DType`` ...) are pickled with
    # numpy scalars and arrays.
    for name in ('Float64DType', 'Float32DType', 'Float16DType',
                 'Int64DType', 'Int32DType', 'Int16DType', 'Int8DType',
                 'UInt8DType', 'BoolDType'):
        dtype_cls = getattr(np.dtypes, name, None)
        if dtype_cls is not None:
            globs.append(dtype_cls)
    return globs


def allow_mmengine_checkpoint_globals() -> None:
    """Add mmengine's checkpoint classes to torch's ``weights_only``
    allow-list and make mmengine's local checkpoint loader use
    :func:`safe_torch_load`. Idempotent."""
    global _REGISTERED
    if _REGISTERED:
        return
    torch.serialization.add_safe_globals(mmengine_checkpoint_globals())

    from mmengine.runner.checkpoint import CheckpointLoader

    # ``force=True`` replaces mmengine's ``load_from_local`` (the scheme for
    # paths without a prefix), which calls ``torch.load`` without a say on
    # ``weights_only`` and so hands the user torch's raw pickle error.
    @CheckpointLoader.register_scheme(prefixes='', force=True)
    def load_from_local(filename: str,
                        map_location: Optional[Any] = None) -> Any:
        filename = os.path.expanduser(filename)
        if not os.path.isfile(filename):
            raise FileNotFoundError(f'{filename} can not be found.')
        return safe_torch_load(filename, map_location=map_location)

    _REGISTERED = True


def safe_torch_load(filename: str,
                    map_location: Optional[Any] = None) -> Any:
    """``torch.load(filename, weights_only=True)`` with the mmengine
    allow-list, and a clear error for files that are refused.

    Args:
        filename (str): Path of the checkpoint.
        map_location: As in :func:`torch.load`.

    Raises:
        UnsafeCheckpointError: The file holds objects outside the allow-list
            (a pickle that could execute code). Nothing of it was run.
        CorruptCheckpointError: The file is empty, truncated or not a torch
            checkpoint.
        FileNotFoundError: There is no such file.
    """
    allow_mmengine_checkpoint_globals()
    try:
        return torch.load(
            filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as e:
        raise UnsafeCheckpointError(
            f'Refused to load checkpoint "{filename}": it contains objects '
            'that are not tensors or allow-listed mmengine state, so '
            'unpickling it could execute code (nothing of it was run). Only '
            'load checkpoints you trust; to see what it holds, use '
            '`torch.serialization.get_unsafe_globals_in_checkpoint`. '
            f'Refused: {_weights_unpickler_reason(str(e))}') from e
    except OSError:
        raise  # missing file, permissions: the message is clear already
    except Exception as e:  # noqa: B902 - any way a broken file fails
        raise _corrupt_error(filename, e) from e


def _corrupt_error(filename: Any, e: Exception) -> CorruptCheckpointError:
    """Name the file, its size and what torch hit while reading it."""
    detail = str(e).splitlines()[0] if str(e) else 'unexpected end of file'
    reason = f'{type(e).__name__}: {detail}'
    is_path = isinstance(filename, (str, os.PathLike))
    size = os.path.getsize(filename) if is_path and os.path.isfile(
        filename) else 0
    if is_path and (size == 0 or not zipfile.is_zipfile(filename)):
        return CorruptCheckpointError(
            f'Could not read checkpoint "{filename}" ({size} bytes): it is '
            'empty, truncated (a run killed while saving it leaves such a '
            'file; use the previous checkpoint) or not a torch checkpoint. '
            f'{reason}')
    return CorruptCheckpointError(
        f'Could not load checkpoint "{filename}": {reason}')
