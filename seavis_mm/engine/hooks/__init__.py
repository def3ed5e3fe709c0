# Copyright (c) seavis_mm contributors. All rights reserved.
from .check_finite_loss_hook import (CheckFiniteLossHook, NonFiniteLossError,
                                     NonFiniteWeightsError)
from .iter_seed_hook import IterSeedHook, iteration_seed
from .visualization_hook import AVISVisualizationHook

__all__ = [
    'CheckFiniteLossHook', 'NonFiniteLossError', 'NonFiniteWeightsError',
    'IterSeedHook', 'iteration_seed', 'AVISVisualizationHook'
]
