# Copyright (c) seavis_mm contributors. All rights reserved.
from .ccaf import CCAF, CCAFLayer
from .film import FiLMFusion

__all__ = ['CCAF', 'CCAFLayer', 'FiLMFusion']
