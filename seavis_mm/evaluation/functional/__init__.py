# Copyright (c) seavis_mm contributors. All rights reserved.
"""AVIS evaluation without mmengine: FSLA, HOTA and mAP as AVISeg computes
them, and identity metrics (IDF1, IDSW, ids kept across silent gaps); see
``docs/en/metrics.md``."""
from .audio_tagging import format_tagging, tagging_by_sources
from .avis_data import (PROTOCOLS, AVISGroundTruth, AVISTrack, AVISVideo,
                        build_raw_sequence, class_sequence_data, load_gt,
                        load_results)
from .evaluate import AREA_RANGES, AVIS_METRICS, evaluate_avis
from .fsla import FSLA
from .id_kept import GAP_BINS, IDKept
from .identity import evaluate_identity
from .masks import empty_rle, encode_mask, rle_to_json, seg_to_rle
from .recall_funnel import format_funnel, recall_funnel
from .silence import silence_breakdown

__all__ = [
    'PROTOCOLS', 'AVIS_METRICS', 'AREA_RANGES', 'AVISGroundTruth',
    'AVISTrack', 'AVISVideo', 'FSLA', 'GAP_BINS', 'IDKept',
    'build_raw_sequence', 'class_sequence_data', 'empty_rle', 'encode_mask',
    'evaluate_avis', 'evaluate_identity',
    'load_gt', 'load_results', 'rle_to_json', 'seg_to_rle',
    'silence_breakdown', 'recall_funnel', 'format_funnel',
    'tagging_by_sources', 'format_tagging'
]
