# Copyright (c) seavis_mm contributors. All rights reserved.
from .check_finite_loss_hook import CheckFiniteLossHook, NonFiniteLossError

__all__ = ['CheckFiniteLossHook', 'NonFiniteLossError']
