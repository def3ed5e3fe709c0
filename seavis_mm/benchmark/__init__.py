# Copyright (c) seavis_mm contributors. All rights reserved.
"""Streaming benchmarks: timing machinery, the plain Mask2Former reference,
synthetic streams, and one module per benchmark (the thin tools in
``tools/analysis_tools/benchmark_*.py`` parse arguments and call these), in
the way of ``mmdet/utils/benchmark.py``."""
from .audio_frontend import bench_audio_frontend, format_audio
from .cli import benchmark_parser, finish_benchmark, setup_benchmark
from .history import bench_history, format_history
from .long_stream import bench_long_stream, format_long
from .msda import bench_msda, format_msda
from .models import (audio_past_context, build_reference, build_seavis,
                     held_frames, history_desc, load_cfg, num_params_m,
                     prefill_history, prefill_state, reference_model_cfg)
from .split import bench_split, format_split, split_figures
from .streams import FramePreprocessor, synthetic_stream, video_stream
from .timing import PartTimer, clocks, sample_points, summarize

__all__ = [
    'PartTimer', 'clocks', 'summarize', 'sample_points', 'load_cfg',
    'build_seavis', 'build_reference', 'reference_model_cfg', 'num_params_m',
    'prefill_history', 'prefill_state', 'held_frames', 'audio_past_context', 'history_desc',
    'synthetic_stream', 'video_stream', 'FramePreprocessor', 'bench_split',
    'split_figures', 'format_split', 'bench_long_stream', 'format_long',
    'bench_history', 'format_history', 'bench_audio_frontend',
    'format_audio', 'bench_msda', 'format_msda', 'benchmark_parser', 'setup_benchmark', 'finish_benchmark'
]
