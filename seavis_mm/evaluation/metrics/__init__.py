# Copyright (c) seavis_mm contributors. All rights reserved.
from .avis_metric import AVISMetric

__all__ = ['AVISMetric']
