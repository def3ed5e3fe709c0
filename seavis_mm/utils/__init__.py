# Copyright (c) seavis_mm contributors. All rights reserved.
from .checkpoint import (CheckpointLoadError, CorruptCheckpointError,
                         UnsafeCheckpointError,
                         allow_mmengine_checkpoint_globals, safe_torch_load)
from .dist_utils import close_process_group, use_gloo_without_cuda
from .pretrained_starts import (check_pretrained_starts,
                                missing_pretrained_starts)
from .setup_env import register_all_modules

__all__ = [
    'register_all_modules', 'use_gloo_without_cuda', 'close_process_group',
    'allow_mmengine_checkpoint_globals',
    'safe_torch_load', 'CheckpointLoadError', 'UnsafeCheckpointError',
    'CorruptCheckpointError', 'check_pretrained_starts',
    'missing_pretrained_starts'
]
