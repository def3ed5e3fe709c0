# Copyright (c) seavis_mm contributors. All rights reserved.
"""The streaming benchmarks: the machinery of ``seavis_mm.benchmark`` and
smoke runs of the four thin tools (the JSON has the promised keys and sane,
positive, finite numbers). No assertion on timings: the machine is
shared."""
import json
import math

import pytest
import torch
from mmengine.config import Config

from seavis_mm import benchmark as sb
from seavis_mm.benchmark import timing
from .conftest import TINY_CONFIG, load_tool


def _positive(x) -> bool:
    return isinstance(x, (int, float)) and math.isfinite(x) and x > 0


def test_sample_points():
    assert sb.sample_points(99) == []
    assert sb.sample_points(100) == [100]
    assert sb.sample_points(12345) == [100, 1000, 10000]


def test_summarize():
    s = sb.summarize([1.0, 2.0, 3.0, 4.0])
    assert s['mean'] == 2.5 and s['p50'] == 2.5 and s['min'] == 1.0
    assert s['fps'] == pytest.approx(400.0)
    assert 3.0 < s['p95'] <= 4.0


def test_part_timer_charges_exclusive_time(monkeypatch):
    """Nested parts: the outer part is charged only its own time. A fake
    clock makes this a test of the bookkeeping, not of the machine."""
    clock = [0.0]
    # wall and CPU clocks both follow the fake clock (CPU at half speed)
    monkeypatch.setattr(timing.time, 'perf_counter', lambda: clock[0])
    monkeypatch.setattr(timing.time, 'process_time', lambda: clock[0] / 2)

    class Inner:

        def run(self):
            clock[0] += 2.0

    class Outer:

        def __init__(self):
            self.inner = Inner()

        def run(self):
            clock[0] += 1.0
            self.inner.run()
            clock[0] += 3.0
            return 'out'

    outer = Outer()
    timer = sb.PartTimer(torch.device('cpu'))
    timer.wrap(outer, 'run', 'outer')
    timer.wrap(outer.inner, 'run', 'inner')
    assert outer.run() == 'out'
    with timer.part('block'):
        clock[0] += 0.5
    wall, cpu = timer.pop()
    assert wall == {'outer': 4000.0, 'inner': 2000.0, 'block': 500.0}
    assert cpu == {'outer': 2000.0, 'inner': 1000.0, 'block': 250.0}
    assert timer.pop() == ({}, {})
    timer.unwrap()
    assert 'run' not in vars(outer)  # the class method shows through again


def test_reference_shares_weights():
    """The reference is mmdet's Mask2Former with SeaVIS's weights in the
    shared parts: same backbone and pixel decoder outputs."""
    from seavis_mm.utils import register_all_modules
    register_all_modules()
    cfg = sb.load_cfg(TINY_CONFIG, None, None)
    cpu = torch.device('cpu')
    seavis = sb.build_seavis(cfg, None, cpu)
    ref, copied = sb.build_reference(cfg, cpu, seavis)
    assert type(ref).__name__ == 'Mask2Former'
    assert type(ref.panoptic_head).__name__ == 'Mask2FormerHead'
    assert ref.panoptic_head.num_queries == cfg.model.track_head.num_queries
    assert copied > 0
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        fs, fr = seavis.backbone(x), ref.backbone(x)
        assert all(torch.equal(a, b) for a, b in zip(fs, fr))
        ms, _ = seavis.track_head.pixel_decode(fs)
        mr, _ = ref.panoptic_head.pixel_decoder(fr)
    assert torch.allclose(ms, mr)


@pytest.mark.slow
def test_benchmark_stream_smoke(tmp_path):
    out = tmp_path / 'stream.json'
    res = load_tool('benchmark_stream').main([
        TINY_CONFIG, '--shape', '64', '64', '--frames', '2', '--warmup', '1',
        '--threads', '1', '--out', str(out)
    ])
    data = json.loads(out.read_text())
    assert data.keys() == json.loads(json.dumps(res)).keys()
    for key in ('overhead_ratio', 'seavis_ms_per_frame',
                'reference_ms_per_frame', 'peak_rss_mb',
                'overhead_ratio_additive'):
        assert _positive(data[key]), key
    parts = data['parts_ms']
    for part in ('backbone', 'pixel_decoder', 'audio_frontend',
                 'audio_encoder', 'ccaf', 'head', 'tracker'):
        assert _positive(parts[part]), part
    # the parts are exclusive: they never add up to more than the frame
    assert sum(v for k, v in parts.items()
               if k not in ('head', 'other')) <= \
        data['seavis_ms_per_frame'] + 1e-6
    for key in ('mean', 'p50', 'p95', 'fps'):
        assert _positive(data['seavis'][key])
        assert _positive(data['reference'][key])
    # the same figures in CPU time
    assert _positive(data['cpu']['overhead_ratio'])
    assert data['cpu']['parts_ms'].keys() == parts.keys()
    # the split runs at steady state: the ring was filled first
    ring = Config.fromfile(TINY_CONFIG).model.neck.history_size
    assert data['history_prefilled'] and data['cache_len'] == ring
    # how many query masks were upsampled: none can pass a threshold of 1,
    # every query passes 0
    assert 0 <= data['queries_upsampled_per_frame']
    # which kernels ran: figures of an AVX2 and an AVX-512 host differ 2x
    assert data['meta']['cpu_features']['torch_capability'] == \
        torch.backends.cpu.get_cpu_capability()
    counts = {}
    for thr in (1.0, 0.0):
        res = load_tool('benchmark_stream').main([
            TINY_CONFIG, '--shape', '64', '64', '--frames', '1',
            '--warmup', '0', '--threads', '1', '--no-reference',
            '--cfg-options', f'model.tracker.score_thr={thr}',
            f'model.tracker.init_score_thr={thr}'
        ])
        counts[thr] = res['queries_upsampled_per_frame']
    queries = Config.fromfile(TINY_CONFIG).model.track_head.num_queries
    assert counts == {1.0: 0.0, 0.0: float(queries)}


@pytest.mark.slow
def test_benchmark_long_stream_smoke(tmp_path, capsys):
    out = tmp_path / 'long.json'
    load_tool('benchmark_long_stream').main([
        TINY_CONFIG, '--shape', '64', '64', '--frames', '100', '--window',
        '5', '--threads', '1', '--out', str(out)
    ])
    # mmengine's progress bar ran to the end of the stream
    assert '100/100' in capsys.readouterr().out
    data = json.loads(out.read_text())
    for sfx in ('', '_cpu'):
        assert list(data['per_frame_ms' + sfx]) == ['100']
        assert _positive(data['per_frame_ms' + sfx]['100'])
        assert _positive(data['control_ms' + sfx]['100'])
        assert _positive(data['rel_control' + sfx]['100'])
    assert math.isfinite(data['rss_mb_growth'])
    ring = Config.fromfile(TINY_CONFIG).model.neck.history_size
    assert data['long_stream_cache_len'] == ring  # full after 100 frames


def test_benchmark_ccaf_history_smoke(tmp_path):
    out = tmp_path / 'history.json'
    load_tool('benchmark_ccaf_history').main([
        TINY_CONFIG, '--shape', '64', '64', '--sizes', '1', '4',
        '--repeats', '1', '--threads', '1', '--out', str(out)
    ])
    data = json.loads(out.read_text())
    # the config's mode (ring) and unbounded
    for key in ('history_cost_ms', 'history_cost_cpu_ms'):
        assert set(data[key]) == {'ring', 'unbounded'}
        assert list(data[key]['ring']) == ['1', '4']
        assert all(_positive(v) for row in data[key].values()
                   for v in row.values())


def test_benchmark_audio_frontend_smoke(tmp_path):
    out = tmp_path / 'audio.json'
    load_tool('benchmark_audio_frontend').main([
        '--seconds', '3', '--fps', '1', '25', '--history-seconds', '2',
        '--repeats', '1', '--out', str(out)
    ])
    data = json.loads(out.read_text())
    for fps_key in ('fps=1', 'fps=25'):
        row = data['audio_frontend'][fps_key]
        for key in ('streaming_audio_s_per_s',
                    'window_recompute_audio_s_per_s',
                    'history_recompute_audio_s_per_s'):
            assert _positive(row[key])


def test_benchmark_long_stream_rejects_short_stream():
    with pytest.raises(ValueError, match='at least 100 frames'):
        load_tool('benchmark_long_stream').main(
            [TINY_CONFIG, '--frames', '50', '--threads', '1'])


@pytest.mark.parametrize('history,num,expected', [('ring', 10, 4),
                                                  ('summary', 10, 5),
                                                  ('unbounded', 10, 10)])
def test_prefill_state_uses_ccaf_push(history, num, expected):
    """The history sweep and the split fill CCAF's history through its own
    push, so bounds and the summary token apply as in a real stream."""
    from seavis_mm.models.necks import CCAF
    neck = CCAF(feat_channels=16, audio_channels=8, num_heads=2,
                feedforward_channels=16, history=history, history_size=4)
    state = sb.prefill_state(neck, neck.init_state(), num)
    assert sb.held_frames(state) == expected
    out, _, new = neck.forward_state([torch.zeros(1, 16, 2, 2)] * 3,
                                     torch.zeros(1, 16, 4, 4),
                                     torch.zeros(1, 8), state)
    assert len(out) == 3 and new.keys() == state.keys()


def test_fp16_needs_cuda():
    with pytest.raises(ValueError, match='--fp16'):
        load_tool('benchmark_stream').main(
            [TINY_CONFIG, '--fp16', '--threads', '1'])


def test_benchmark_msda_smoke(tmp_path):
    pytest.importorskip('onnxruntime')
    out = tmp_path / 'msda.json'
    load_tool('benchmark_msda').main([
        '--shape', '64', '96', '--threads', '1', '--repeats', '2', '--onnx',
        '--out', str(out)
    ])
    data = json.loads(out.read_text())
    names = {f'{runtime}/{impl}' for runtime in ('pytorch', 'onnxruntime')
             for impl in ('mmcv', 'gather', 'levels')}
    assert set(data['msda_ms']) == names
    assert all(_positive(s['p50']) for s in data['msda_ms'].values())
    # every formulation computes mmcv's values
    assert all(d < 1e-5 for d in data['msda_max_abs_diff_vs_mmcv'].values())
    assert data['msda_levels'] == [[2, 3], [4, 6], [8, 12]]


@pytest.mark.slow
def test_benchmark_stream_int8_backend(tmp_path):
    """--backend onnxruntime-int8: both networks quantised and timed beside
    fp32 ONNX Runtime in one run."""
    pytest.importorskip('onnxruntime')
    out = tmp_path / 'int8.json'
    load_tool('benchmark_stream').main([
        TINY_CONFIG, '--shape', '64', '64', '--frames', '1', '--warmup', '0',
        '--threads', '1', '--backend', 'onnxruntime', 'onnxruntime-int8',
        '--out', str(out)
    ])
    data = json.loads(out.read_text())
    assert list(data['backends']) == ['onnxruntime', 'onnxruntime-int8']
    for figs in data['backends'].values():
        assert _positive(figs['seavis_ms_per_frame'])
        assert _positive(figs['reference_ms_per_frame'])
        assert _positive(figs['parts_ms']['network'])
