# Copyright (c) seavis_mm contributors. All rights reserved.
"""Evaluation of seavis_mm: AVISeg's FSLA, HOTA and mAP.

Importing this package registers :class:`AVISMetric` in ``METRICS``.
"""
from .functional import evaluate_avis
from .metrics import AVISMetric

__all__ = ['AVISMetric', 'evaluate_avis']
