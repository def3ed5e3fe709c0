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
"""
import os
import pickle
from typing import Any, Callable, List, Optional

import numpy as np
import torch

_REGISTERED = False


class UnsafeCheckpointError(RuntimeError):
    """A checkpoint holds objects outside the allow-list (it could run code
    when unpickled), so it was refused."""


def mmengine_checkpoint_globals() -> List[Any]:
    """The classes and functions that mmengine 0.10.7 pickles into a
    checkpoint beside tensors (found with
    ``torch.serialization.get_unsafe_globals_in_checkpoint`` on a checkpoint
    of a real training run)."""
    from mmengine.logging.history_buffer import HistoryBuffer

    # numpy moved its core to ``numpy._core`` in 2.0; pickles name whichever
    # module wrote them, so allow both spellings where they exist.
    globs: List[Any] = [HistoryBuffer, np.ndarray, np.dtype]
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
            (a pickle that could execute code), or is not a checkpoint.
    """
    allow_mmengine_checkpoint_globals()
    try:
        return torch.load(
            filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as e:
        raise UnsafeCheckpointError(
            f'Refused to load checkpoint "{filename}": it contains objects '
            'that are not tensors or allow-listed mmengine state, so '
            'unpickling it could execute code. Only load checkpoints you '
            'trust; to inspect one, use '
            '`torch.serialization.get_unsafe_globals_in_checkpoint`. '
            f'Details: {str(e).splitlines()[0]}') from e
    except (EOFError, RuntimeError) as e:
        raise UnsafeCheckpointError(
            f'Could not read checkpoint "{filename}": the file is truncated '
            f'or not a torch checkpoint ({e}).') from e
