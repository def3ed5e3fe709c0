# Copyright (c) seavis_mm contributors. All rights reserved.
import pytest
import torch

from seavis_mm.registry import MODELS


def _build(**kw):
    cfg = dict(type='CCAF', feat_channels=16, audio_channels=8, num_heads=2,
               feedforward_channels=32, fuse_levels=(0, 1),
               fuse_mask_features=True)
    cfg.update(kw)
    ccaf = MODELS.build(cfg)
    # the output projections start at zero (identity); randomise them so
    # the tests see a real fusion
    torch.manual_seed(0)
    for p in ccaf.parameters():
        torch.nn.init.normal_(p, std=0.3)
    return ccaf.eval()


def _inputs(b=2, t=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    memorys = [torch.randn(b * t, 16, s, s, generator=g) for s in (2, 4, 8)]
    mask_feat = torch.randn(b * t, 16, 8, 8, generator=g)
    audio = torch.randn(b, t, 8, generator=g)
    return memorys, mask_feat, audio


def test_shapes_and_untouched_levels():
    ccaf = _build()
    memorys, mask_feat, audio = _inputs()
    out_m, out_f = ccaf.forward_clip(memorys, mask_feat, audio)
    assert [m.shape for m in out_m] == [m.shape for m in memorys]
    assert out_f.shape == mask_feat.shape
    assert torch.equal(out_m[2], memorys[2])  # level 2 not fused
    assert not torch.allclose(out_m[0], memorys[0])


def test_identity_at_init():
    ccaf = MODELS.build(dict(type='CCAF', feat_channels=16, audio_channels=8,
                             num_heads=2, feedforward_channels=32))
    memorys, mask_feat, audio = _inputs()
    out_m, _ = ccaf.forward_clip(memorys, mask_feat, audio)
    for a, b in zip(out_m, memorys):
        assert torch.allclose(a, b)


@pytest.mark.parametrize('history', ['unbounded', 'ring', 'summary'])
def test_causal_future_audio_does_not_change_past(history):
    """Changing the audio of frames > t leaves frame t's outputs unchanged."""
    ccaf = _build(history=history, history_size=2)
    memorys, mask_feat, audio = _inputs(b=1, t=5)
    out_m, out_f = ccaf.forward_clip(memorys, mask_feat, audio)
    for t in range(5):
        changed = audio.clone()
        changed[:, t + 1:] = torch.randn_like(changed[:, t + 1:]) * 10
        m2, f2 = ccaf.forward_clip(memorys, mask_feat, changed)
        assert torch.allclose(out_f[:t + 1], f2[:t + 1], atol=1e-5)
        for a, b in zip(out_m, m2):
            assert torch.allclose(a[:t + 1], b[:t + 1], atol=1e-5)
        if t < 4:  # the future audio does reach the future frames
            assert not torch.allclose(out_f[t + 1:], f2[t + 1:])


@pytest.mark.parametrize('history', ['unbounded', 'ring', 'summary'])
def test_stream_equals_clip(history):
    """The streaming cache computes what the causal clip mask computes."""
    ccaf = _build(history=history, history_size=2)
    memorys, mask_feat, audio = _inputs(b=1, t=5)
    out_m, out_f = ccaf.forward_clip(memorys, mask_feat, audio)
    ccaf.reset_stream()
    for t in range(5):
        m_t, f_t = ccaf.forward_stream([m[t:t + 1] for m in memorys],
                                       mask_feat[t:t + 1], audio[:, t])
        assert torch.allclose(f_t, out_f[t:t + 1], atol=1e-5)
        for a, b in zip(m_t, out_m):
            assert torch.allclose(a, b[t:t + 1], atol=1e-5)


def test_bounded_history_cache():
    ccaf = _build(history='ring', history_size=3)
    memorys, mask_feat, _ = _inputs(b=1, t=1)
    with torch.no_grad():
        for _ in range(10):
            ccaf.forward_stream(memorys, mask_feat, torch.randn(1, 8))
    assert ccaf.cache_len == 3
    ccaf_s = _build(history='summary', history_size=3)
    with torch.no_grad():
        for _ in range(10):
            ccaf_s.forward_stream(memorys, mask_feat, torch.randn(1, 8))
    assert ccaf_s.cache_len == 4  # 3 recent + 1 summary token
    ccaf_s.reset_stream()
    assert ccaf_s.cache_len == 0


def test_bad_config():
    with pytest.raises(ValueError, match='history'):
        MODELS.build(dict(type='CCAF', history='forever'))
