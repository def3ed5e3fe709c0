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


# ----------------------------------------------------------------------
# explicit stream state
# ----------------------------------------------------------------------
def _reference_stream(ccaf, memorys, mask_feat, audio):
    """The stateful path as it was before the explicit state (a deque of
    projected embeddings, a running summary, keys without padding), written
    out here as the reference the state API must reproduce."""
    from collections import deque
    k = None if ccaf.history == 'unbounded' else ccaf.history_size
    cache, summ, count, outs = deque(maxlen=k), None, 0, []
    rec = ccaf.recency_embed.weight
    for t in range(audio.shape[1]):
        kv_t = ccaf.audio_proj(audio[:, t])
        if k is not None and len(cache) == k and ccaf.history == 'summary':
            summ = cache[0] if summ is None else summ + cache[0]
            count += 1
        cache.append(kv_t)
        keys = [cache[-1] + rec[0]] + [x + rec[1] for x in list(cache)[:-1]]
        if count:
            keys.append(summ / count + rec[1])
        fused = ccaf._fuse_maps(
            ccaf._select([m[t:t + 1] for m in memorys],
                         mask_feat[t:t + 1]), torch.stack(keys, 1), None)
        outs.append(ccaf._scatter(fused, [m[t:t + 1] for m in memorys],
                                  mask_feat[t:t + 1]))
    return outs


@pytest.mark.parametrize('history', ['unbounded', 'ring', 'summary'])
def test_state_functions_equal_previous_stateful_path(history):
    ccaf = _build(history=history, history_size=3)
    memorys, mask_feat, audio = _inputs(b=1, t=7, seed=1)
    ref = _reference_stream(ccaf, memorys, mask_feat, audio)
    state = ccaf.init_state(1)
    ccaf.reset_stream()
    for t in range(7):
        frame = [m[t:t + 1] for m in memorys], mask_feat[t:t + 1]
        m_s, f_s, state = ccaf.forward_state(*frame, audio[:, t], state)
        m_h, f_h = ccaf.forward_stream(*frame, audio[:, t])
        for a, b, c in zip(m_s + [f_s], m_h + [f_h],
                           ref[t][0] + [ref[t][1]]):
            assert torch.allclose(a, c, atol=1e-6)
            assert torch.equal(a, b)
    assert ccaf.cache_len == {'unbounded': 7, 'ring': 3, 'summary': 4}[history]


@pytest.mark.parametrize('history', ['ring', 'summary'])
def test_state_is_fixed_shape_and_not_mutated(history):
    ccaf = _build(history=history, history_size=3, tokens_per_frame=2,
                  time_embed='age')
    assert ccaf.exportable_state
    state = ccaf.init_state(2)
    shapes = {k: v.shape for k, v in state.items()}
    assert shapes['audio_keys'] == (2, 3, 2, 16)
    assert shapes['audio_valid'] == (2, 3)
    assert ('summary_sum' in state) == (history == 'summary')
    memorys, mask_feat, _ = _inputs(b=2, t=1)
    for _ in range(5):
        before = {k: v.clone() for k, v in state.items()}
        _, _, new = ccaf.forward_state(memorys, mask_feat,
                                       torch.randn(2, 2, 8), state)
        for k in state:  # the input state is left as it was
            assert torch.equal(state[k], before[k])
            assert new[k].shape == shapes[k]
        state = new
    assert ccaf.stream_state is None  # the neck's own state is untouched
    assert not _build(history='unbounded').exportable_state


def test_state_carries_streams_side_by_side():
    """A batch of two states computes what each stream computes alone."""
    ccaf = _build(history='summary', history_size=2)
    memorys, mask_feat, audio = _inputs(b=2, t=4, seed=2)
    state = ccaf.init_state(2)
    alone = [ccaf.init_state(1), ccaf.init_state(1)]
    for t in range(4):
        frame = [torch.stack([m[t], m[4 + t]]) for m in memorys]
        feat = torch.stack([mask_feat[t], mask_feat[4 + t]])
        _, f_b, state = ccaf.forward_state(frame, feat, audio[:, t], state)
        for i in range(2):
            _, f_i, alone[i] = ccaf.forward_state(
                [m[i:i + 1] for m in frame], feat[i:i + 1],
                audio[i:i + 1, t], alone[i])
            assert torch.allclose(f_b[i:i + 1], f_i, atol=1e-6)


@pytest.mark.parametrize('history', ['ring', 'summary'])
def test_push_audio_without_visual_equals_clip(history):
    """A frame whose visual work is skipped (dropped live frame) still
    enters the history: the next frame fuses what the clip gives it."""
    ccaf = _build(history=history, history_size=2)
    memorys, mask_feat, audio = _inputs(b=1, t=5, seed=4)
    _, out_f = ccaf.forward_clip(memorys, mask_feat, audio)
    ccaf.reset_stream()
    for t in range(5):
        if t in (1, 2):
            ccaf.push_audio(audio[:, t])
            continue
        _, f_t = ccaf.forward_stream([m[t:t + 1] for m in memorys],
                                     mask_feat[t:t + 1], audio[:, t])
        assert torch.allclose(f_t, out_f[t:t + 1], atol=1e-5)


@pytest.mark.parametrize('history', ['ring', 'summary'])
def test_forward_state_traces(history):
    """forward_state has no Python branching on tensor values: a trace
    made on an empty state reproduces eager on a full one."""
    ccaf = _build(history=history, history_size=3, tokens_per_frame=2,
                  time_embed='age')
    keys = sorted(ccaf.init_state(1))

    class Frame(torch.nn.Module):

        def __init__(self, neck):
            super().__init__()
            self.neck = neck

        def forward(self, m0, m1, m2, feat, audio_t, *state):
            m, f, new = self.neck.forward_state(
                [m0, m1, m2], feat, audio_t, dict(zip(keys, state)))
            return (m[0], m[1], f) + tuple(new[k] for k in keys)

    frame = Frame(ccaf)
    memorys, mask_feat, _ = _inputs(b=1, t=1)
    empty = ccaf.init_state(1)
    with torch.no_grad():
        traced = torch.jit.trace(
            frame, (*memorys, mask_feat, torch.randn(1, 2, 8),
                    *[empty[k] for k in keys]))
        state = [empty[k] for k in keys]
        for t in range(6):
            audio_t = torch.randn(1, 2, 8)
            eager = frame(*memorys, mask_feat, audio_t, *state)
            got = traced(*memorys, mask_feat, audio_t, *state)
            for a, b in zip(eager, got):
                assert torch.allclose(a.float(), b.float(), atol=1e-6)
            state = list(got[3:])
    assert bool(state[keys.index('audio_valid')].all())


# ----------------------------------------------------------------------
# training sees the stream: the audio before the clip, several tokens
# ----------------------------------------------------------------------
def _video(num_frames=12, m=1, seed=5):
    g = torch.Generator().manual_seed(seed)
    memorys = [torch.randn(num_frames, 16, s, s, generator=g)
               for s in (2, 4, 8)]
    mask_feat = torch.randn(num_frames, 16, 8, 8, generator=g)
    shape = (1, num_frames, 8) if m == 1 else (1, num_frames, m, 8)
    return memorys, mask_feat, torch.randn(*shape, generator=g)


def _stream_outputs(ccaf, memorys, mask_feat, audio):
    ccaf.reset_stream()
    outs = []
    for t in range(audio.shape[1]):
        outs.append(ccaf.forward_stream([m[t:t + 1] for m in memorys],
                                        mask_feat[t:t + 1], audio[:, t]))
    return outs


@pytest.mark.parametrize('history,start,m,time_embed', [
    ('ring', 6, 1, 'recency'), ('ring', 7, 3, 'age'),
    ('ring', 2, 3, 'age'), ('summary', 3, 1, 'recency'),
    ('summary', 2, 3, 'age'), ('unbounded', 3, 1, 'age')
])
def test_clip_with_past_audio_equals_stream(history, start, m, time_embed):
    """A clip starting at ``start`` with the K audio frames before it (the
    ones before the video's start marked invalid) fuses exactly what the
    stream fuses at the same frames."""
    k, clip_len = 4, 3
    ccaf = _build(history=history, history_size=k, tokens_per_frame=m,
                  time_embed=time_embed, past_audio_frames=k)
    memorys, mask_feat, audio = _video(m=m)
    stream = _stream_outputs(ccaf, memorys, mask_feat, audio)
    frames = slice(start, start + clip_len)
    past_ids = torch.arange(start - k, start)
    past = audio[:, past_ids.clamp(min=0)]
    valid = (past_ids >= 0)[None]
    out_m, out_f = ccaf.forward_clip([m_[frames] for m_ in memorys],
                                     mask_feat[frames], audio[:, frames],
                                     past_audio=past, past_valid=valid)
    for i in range(clip_len):
        s_m, s_f = stream[start + i]
        assert torch.allclose(out_f[i:i + 1], s_f, atol=1e-5)
        for a, b in zip(out_m, s_m):
            assert torch.allclose(a[i:i + 1], b, atol=1e-5)
    # without its past the clip's first frame differs from the stream
    _, no_past = ccaf.forward_clip([m_[frames] for m_ in memorys],
                                   mask_feat[frames], audio[:, frames])
    if start > 0:
        assert not torch.allclose(no_past[:1], stream[start][1], atol=1e-4)


def test_invalid_past_is_ignored():
    ccaf = _build(history='ring', history_size=4, past_audio_frames=4)
    memorys, mask_feat, audio = _inputs(b=1, t=3)
    past = torch.randn(1, 4, 8)
    valid = torch.tensor([[False, False, True, True]])
    _, f1 = ccaf.forward_clip(memorys, mask_feat, audio, past, valid)
    past2 = past.clone()
    past2[:, :2] = 1e3
    _, f2 = ccaf.forward_clip(memorys, mask_feat, audio, past2, valid)
    assert torch.allclose(f1, f2, atol=1e-6)
    _, f3 = ccaf.forward_clip(memorys, mask_feat, audio, past, None)
    assert not torch.allclose(f1, f3)
    with pytest.raises(ValueError, match='past_valid'):
        ccaf.forward_clip(memorys, mask_feat, audio, past, valid[:, :3])
    # past_audio_frames: only the last ones are used, 0 ignores the past
    ccaf.past_audio_frames = 2
    _, f4 = ccaf.forward_clip(memorys, mask_feat, audio, past2, valid)
    assert torch.allclose(f1, f4, atol=1e-6)
    ccaf.past_audio_frames = 0
    _, f5 = ccaf.forward_clip(memorys, mask_feat, audio, past, valid)
    _, f6 = ccaf.forward_clip(memorys, mask_feat, audio)
    assert torch.equal(f5, f6)


@pytest.mark.parametrize('time_embed', ['recency', 'age'])
def test_tokens_shapes_and_causality(time_embed):
    """Several tokens a frame: frame t never depends on audio after t, and
    the tokens of one frame are told apart (permuting them changes the
    output)."""
    ccaf = _build(history='ring', history_size=3, tokens_per_frame=4,
                  time_embed=time_embed)
    memorys, mask_feat, _ = _inputs(b=1, t=5)
    audio = torch.randn(1, 5, 4, 8)
    out_m, out_f = ccaf.forward_clip(memorys, mask_feat, audio)
    assert out_f.shape == mask_feat.shape
    for t in range(4):
        changed = audio.clone()
        changed[:, t + 1:] = torch.randn_like(changed[:, t + 1:]) * 10
        _, f2 = ccaf.forward_clip(memorys, mask_feat, changed)
        assert torch.allclose(out_f[:t + 1], f2[:t + 1], atol=1e-5)
        assert not torch.allclose(out_f[t + 1:], f2[t + 1:])
    _, f_perm = ccaf.forward_clip(memorys, mask_feat, audio[:, :, [1, 0, 2,
                                                                   3]])
    assert not torch.allclose(out_f, f_perm)
    with pytest.raises(ValueError, match='tokens_per_frame'):
        ccaf.forward_clip(memorys, mask_feat, torch.randn(1, 5, 3, 8))


def test_age_embedding_tells_ages_apart():
    """'age' gives every past slot its own embedding (recency only
    now / past): swapping two past frames changes the 'age' output only."""
    memorys, mask_feat, audio = _inputs(b=1, t=3)
    swapped = audio[:, [1, 0, 2]]
    for time_embed, differs in (('recency', False), ('age', True)):
        ccaf = _build(history='ring', history_size=3, time_embed=time_embed)
        _, f1 = ccaf.forward_clip(memorys, mask_feat, audio)
        _, f2 = ccaf.forward_clip(memorys, mask_feat, swapped)
        assert (not torch.allclose(f1[2], f2[2], atol=1e-5)) == differs


@pytest.mark.parametrize('tokens,time_embed', [('cells', 'age'),
                                               ('pooled', 'age'),
                                               ('cells', 'recency')])
def test_stream_equals_clip_through_the_audio_encoder(tokens, time_embed):
    """The issue's test, audio encoder included: log-mel patches of a video
    -> VGGish -> CCAF. For frames with at least K past frames a training
    clip with its past audio and the stream fuse the same features within
    1e-5, and only with the past do they agree."""
    k, clip_len, num_frames = 4, 3, 11
    torch.manual_seed(0)
    enc = MODELS.build(
        dict(type='VGGishAudioEncoder', channels=(4, 4, 8, 8, 8, 8),
             fc_dims=(16, 8), tokens=tokens, cell_grid=(3, 2)))
    ccaf = _build(history='ring', history_size=k,
                  tokens_per_frame=enc.num_tokens, time_embed=time_embed,
                  past_audio_frames=k)
    g = torch.Generator().manual_seed(3)
    patches = torch.randn(1, num_frames, 1, 96, 64, generator=g)
    memorys, mask_feat, _ = _video(num_frames)
    with torch.no_grad():
        ccaf.reset_stream()
        stream = []
        for t in range(num_frames):  # one frame's patch at a time
            _, tok_t = enc.forward_tokens(patches[:, t])
            stream.append(ccaf.forward_stream(
                [m[t:t + 1] for m in memorys], mask_feat[t:t + 1], tok_t)[1])
        start = num_frames - clip_len  # >= K past frames
        frames = slice(start, num_frames)
        # as SeaVIS.loss: the clip's patches and the K before it, batched
        _, clip_tok = enc.forward_tokens(patches[:, frames])
        _, past_tok = enc.forward_tokens(patches[:, start - k:start])
        valid = torch.ones(1, k, dtype=torch.bool)
        clip_m = [m[frames] for m in memorys]
        _, with_past = ccaf.forward_clip(clip_m, mask_feat[frames], clip_tok,
                                         past_tok, valid)
        _, without = ccaf.forward_clip(clip_m, mask_feat[frames], clip_tok)
    for i in range(clip_len):
        assert torch.allclose(with_past[i:i + 1], stream[start + i],
                              atol=1e-5)
    assert not torch.allclose(without[:1], stream[start], atol=1e-4)
