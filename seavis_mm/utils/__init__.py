# Copyright (c) seavis_mm contributors. All rights reserved.
from .checkpoint import (CheckpointLoadError, CorruptCheckpointError,
                         UnsafeCheckpointError,
                         allow_mmengine_checkpoint_globals, safe_torch_load)
from .setup_env import register_all_modules

__all__ = [
    'register_all_modules', 'allow_mmengine_checkpoint_globals',
    'safe_torch_load', 'CheckpointLoadError', 'UnsafeCheckpointError',
    'CorruptCheckpointError'
]
