# Copyright (c) seavis_mm contributors. All rights reserved.
"""SoundAwareTracker with hand-made embeddings.

Objects are unit basis vectors of a small embedding space (plus a little
noise); an audio anchor equal to an object's direction means "it sounds", an
anchor orthogonal to every object means "silence".
"""
import pytest
import torch

from seavis_mm.models.trackers import SoundAwareTracker
from seavis_mm.registry import MODELS

torch.set_num_threads(1)

D = 8
H = W = 16
SILENCE = torch.zeros(D)
SILENCE[D - 1] = 1.0  # orthogonal to every object direction used below


def direction(i: int, noise: float = 0.0, seed: int = 0) -> torch.Tensor:
    """Unit embedding of object ``i`` (a basis vector), slightly jittered."""
    g = torch.Generator().manual_seed(seed)
    v = torch.zeros(D)
    v[i] = 1.0
    v = v + noise * torch.randn(D, generator=g)
    return v / v.norm()


def box_mask(x0: int, y0: int, size: int = 4) -> torch.Tensor:
    m = torch.zeros(H, W, dtype=torch.bool)
    m[y0:y0 + size, x0:x0 + size] = True
    return m


def frame(objs, num_queries: int = 6, seed: int = 0):
    """Queries of one frame: ``objs`` is a list of (object index, score,
    mask); remaining queries are background (score 0.01, random
    embedding)."""
    g = torch.Generator().manual_seed(1000 + seed)
    embeds = torch.nn.functional.normalize(
        torch.randn(num_queries, D, generator=g), dim=1)
    scores = torch.full((num_queries, ), 0.01)
    labels = torch.zeros(num_queries, dtype=torch.long)
    masks = torch.zeros(num_queries, H, W, dtype=torch.bool)
    for q, (obj, score, mask) in enumerate(objs):
        embeds[q] = direction(obj, noise=0.05, seed=seed * 31 + obj)
        scores[q] = score
        labels[q] = obj
        masks[q] = mask
    return dict(embeds=embeds, scores=scores, labels=labels, masks=masks)


def sounding(*objs) -> torch.Tensor:
    v = sum(direction(o) for o in objs)
    return v / v.norm()


def ids_by_label(res) -> dict:
    return {int(l): int(i) for l, i in zip(res.labels, res.instances_id)}


def make_tracker(**kwargs) -> SoundAwareTracker:
    cfg = dict(
        score_thr=0.3,
        init_score_thr=0.5,
        match_thr=0.5,
        momentums=dict(embeds=0.5),
        num_frames_retain=10,
        sound_thr=0.4)
    cfg.update(kwargs)
    return SoundAwareTracker(**cfg)


def test_registered_and_momentum_shorthand():
    tracker = MODELS.build(dict(type='SoundAwareTracker', momentum=0.25))
    assert isinstance(tracker, SoundAwareTracker)
    assert tracker.momentums == dict(embeds=0.25)
    with pytest.raises(ValueError, match='init_score_thr'):
        SoundAwareTracker(score_thr=0.6, init_score_thr=0.5)
    with pytest.raises(ValueError, match='momentums'):
        SoundAwareTracker(momentums=dict(scores=0.5))


def test_id_kept_through_5_frame_silent_gap():
    """Visible but silent for 5 frames: not output, then sounds again with
    the same id; a new object born during the gap gets a new id."""
    tracker = make_tracker()
    a_mask = box_mask(0, 0)
    b_mask = box_mask(10, 10)
    outs = []
    for t in range(10):
        objs = [(0, 0.9, a_mask)]
        if t >= 4:
            objs.append((1, 0.9, b_mask))
        silent_a = 3 <= t <= 7
        anchor = SILENCE if silent_a else sounding(0)
        if t >= 4 and silent_a:
            anchor = sounding(1)  # B sounds while A is silent
        if t >= 8:
            anchor = sounding(0, 1)
        outs.append(
            tracker.track(t, audio_anchor=anchor, **frame(objs, seed=t)))
    for t in range(3):
        assert ids_by_label(outs[t]) == {0: 0}
    assert len(outs[3]) == 0  # A silent, B not there yet
    for t in range(4, 8):
        assert ids_by_label(outs[t]) == {1: 1}  # A suppressed, B sounds
        assert bool((outs[t].sound_scores > 0.4).all())
    for t in (8, 9):
        assert ids_by_label(outs[t]) == {0: 0, 1: 1}
    assert tracker.num_tracks == 2


def test_id_kept_through_5_frame_disappearance():
    """Not detected at all for 5 frames (within num_frames_retain)."""
    tracker = make_tracker(num_frames_retain=10)
    ids = []
    for t in range(12):
        present = not (2 <= t <= 6)
        objs = [(0, 0.9 if present else 0.05, box_mask(t, 2))]
        res = tracker.track(t, audio_anchor=sounding(0), **frame(objs, seed=t))
        ids.append(res.instances_id.tolist())
    assert ids[:2] == [[0], [0]]
    assert ids[2:7] == [[]] * 5
    assert ids[7:] == [[0]] * 5
    assert tracker.num_tracks == 1


def test_swap_positions_keeps_ids_by_embeddings():
    """Two objects swap places (and query order); ids follow embeddings,
    not positions or query slots."""
    tracker = make_tracker()
    left, right = box_mask(0, 6), box_mask(12, 6)
    for t in range(6):
        swapped = t >= 3
        a_mask, b_mask = (right, left) if swapped else (left, right)
        objs = [(0, 0.9, a_mask), (1, 0.8, b_mask)]
        if t % 2:
            objs = objs[::-1]  # query slots change too
        res = tracker.track(
            t, audio_anchor=sounding(0, 1), **frame(objs, seed=t))
        assert ids_by_label(res) == {0: 0, 1: 1}
        by_id = {int(i): m for i, m in zip(res.instances_id, res.masks)}
        assert torch.equal(by_id[0], a_mask)
        assert torch.equal(by_id[1], b_mask)


def test_silent_instance_suppressed():
    """Two confident objects, the audio agrees with one: only it is output;
    without the gate (or without an anchor) both are."""
    objs = [(0, 0.95, box_mask(0, 0)), (1, 0.95, box_mask(8, 8))]
    tracker = make_tracker()
    res = tracker.track(0, audio_anchor=sounding(1), **frame(objs))
    assert res.labels.tolist() == [1]
    assert res.sound_scores.item() > 0.9
    assert tracker.num_live_tracks == 2  # the silent one is still tracked

    ungated = make_tracker(sound_gate=False)
    res = ungated.track(0, audio_anchor=sounding(1), **frame(objs))
    assert sorted(res.labels.tolist()) == [0, 1]
    assert res.sound_scores.min().item() < 0.4  # computed even when ungated

    no_audio = make_tracker()
    res = no_audio.track(0, audio_anchor=None, **frame(objs))
    assert sorted(res.labels.tolist()) == [0, 1]
    assert torch.equal(res.sound_scores, torch.ones(2))


def test_birth_threshold():
    tracker = make_tracker(score_thr=0.3, init_score_thr=0.5)
    anchor = sounding(0)
    # above score_thr but below init_score_thr: no track is born
    res = tracker.track(0, audio_anchor=anchor, **frame([(0, 0.4,
                                                          box_mask(0, 0))]))
    assert len(res) == 0 and tracker.empty
    res = tracker.track(1, audio_anchor=anchor, **frame([(0, 0.6,
                                                          box_mask(0, 0))]))
    assert res.instances_id.tolist() == [0]
    # once tracked, a candidate below init_score_thr keeps the track
    res = tracker.track(2, audio_anchor=anchor, **frame([(0, 0.4,
                                                          box_mask(0, 0))]))
    assert res.instances_id.tolist() == [0]
    assert res.scores.tolist() == [pytest.approx(0.4)]
    # below score_thr: not a candidate at all
    res = tracker.track(3, audio_anchor=anchor, **frame([(0, 0.2,
                                                          box_mask(0, 0))]))
    assert len(res) == 0


def test_retain_expiry_and_bounded_memory():
    tracker = make_tracker(num_frames_retain=3)
    anchor = sounding(0)
    mask = box_mask(0, 0)
    on = frame([(0, 0.9, mask)])
    off = frame([(0, 0.05, mask)])
    tracker.track(0, audio_anchor=anchor, **on)
    for t in (1, 2, 3):  # missed 3 frames: still remembered
        tracker.track(t, audio_anchor=anchor, **off)
    assert tracker.ids == [0]
    assert tracker.track(4, audio_anchor=anchor, **on).instances_id.tolist() \
        == [0]
    for t in (5, 6, 7, 8):  # missed 4 frames: dropped
        tracker.track(t, audio_anchor=anchor, **off)
    assert tracker.empty
    assert tracker.track(9, audio_anchor=anchor, **on).instances_id.tolist() \
        == [1]
    # many short-lived objects: memory holds only the live ones
    for t in range(10, 60):
        tracker.track(t, audio_anchor=None,
                      **frame([(t % 7, 0.9, mask)], seed=t))
    assert tracker.num_live_tracks <= 7


def test_match_threshold_and_reset():
    tracker = make_tracker(match_thr=0.5)
    tracker.track(0, audio_anchor=None, **frame([(0, 0.9, box_mask(0, 0))]))
    # same place, different embedding: a new track, not a match
    res = tracker.track(
        1, audio_anchor=None, **frame([(2, 0.9, box_mask(0, 0))]))
    assert res.instances_id.tolist() == [1]
    assert tracker.num_live_tracks == 2
    # frame 0 starts a new stream: ids from 0 again
    res = tracker.track(
        0, audio_anchor=None, **frame([(2, 0.9, box_mask(0, 0))]))
    assert res.instances_id.tolist() == [0]
    assert tracker.num_tracks == 1


def test_momentum_update():
    tracker = make_tracker(momentums=dict(embeds=0.25))
    e0 = direction(0)
    e1 = direction(0, noise=0.5, seed=3)
    assert float(e0 @ e1) > 0.5
    q = frame([(0, 0.9, box_mask(0, 0))])
    q['embeds'][0] = e0
    tracker.track(0, audio_anchor=None, **q)
    q['embeds'][0] = e1
    tracker.track(1, audio_anchor=None, **q)
    expected = torch.nn.functional.normalize(0.75 * e0 + 0.25 * e1, dim=0)
    assert torch.allclose(tracker.tracks[0]['embeds'], expected, atol=1e-6)
    assert tracker.tracks[0]['frame_ids'] == 1


def test_mask_nms_dedupes_duplicate_queries():
    mask = box_mask(2, 2, size=6)
    near = mask.clone()
    near[2, 2] = False  # IoU 35/36
    objs = [(0, 0.9, mask), (1, 0.8, near)]
    with_nms = make_tracker(mask_nms_thr=0.8)
    res = with_nms.track(0, audio_anchor=None, **frame(objs))
    assert res.labels.tolist() == [0]
    without = make_tracker(mask_nms_thr=None)
    res = without.track(0, audio_anchor=None, **frame(objs))
    assert sorted(res.labels.tolist()) == [0, 1]


def test_empty_frame_and_bad_inputs():
    tracker = make_tracker()
    res = tracker.track(0, audio_anchor=sounding(0), **frame([]))
    assert len(res) == 0
    assert res.masks.shape == (0, H, W)
    q = frame([(0, 0.9, box_mask(0, 0))])
    with pytest.raises(ValueError, match='scores'):
        tracker.track(1, **dict(q, scores=q['scores'][:2]))
    with pytest.raises(ValueError, match='audio_anchor'):
        tracker.track(1, audio_anchor=torch.ones(D + 1), **q)


def test_inputs_with_grad_are_detached():
    """Called outside no_grad (e.g. a model's test_step in a script), the
    memory keeps no graph and association still works."""
    tracker = make_tracker()
    q = frame([(0, 0.9, box_mask(0, 0))])
    q['embeds'].requires_grad_(True)
    anchor = sounding(0).requires_grad_(True)
    res = tracker.track(0, audio_anchor=anchor, **q)
    res = tracker.track(1, audio_anchor=anchor, **q)
    assert res.instances_id.tolist() == [0]
    assert not tracker.tracks[0]['embeds'].requires_grad
    assert not res.sound_scores.requires_grad


# ----------------------------------------------------------------------
# identity embeddings, sounding probabilities, smoothing, confident
# updates, silent retain
# ----------------------------------------------------------------------
def probs_for(objs, sounding_objs, num_queries: int = 6) -> torch.Tensor:
    """Per-query sounding probabilities: 0.9 for the queries of sounding
    objects, 0.1 for the others (background queries too)."""
    p = torch.full((num_queries, ), 0.1)
    for q, (obj, _, _) in enumerate(objs):
        if obj in sounding_objs:
            p[q] = 0.9
    return p


def test_associates_on_identity_embeddings():
    """The sound-aware embeddings of two objects swap (what AGCL does when
    the sounding object changes); the identity embeddings do not: ids follow
    identity."""
    tracker = make_tracker(match_thr=0.5)
    objs = [(0, 0.9, box_mask(0, 0)), (1, 0.9, box_mask(8, 8))]
    for t in range(4):
        q = frame(objs, seed=t)
        ident = q['embeds'].clone()
        if t >= 2:
            q['embeds'][[0, 1]] = q['embeds'][[1, 0]]
        res = tracker.track(t, audio_anchor=None, id_embeds=ident, **q)
        assert ids_by_label(res) == {0: 0, 1: 1}


def test_id_stable_across_20_frame_silent_gap():
    """Object 0 sounds, then goes silent: seen silent for 2 frames, then not
    detected for 20 frames (longer than num_frames_retain=10), then sounds
    again. The silent retain window keeps its id; object 1, which left while
    sounding, is dropped after the normal window."""
    tracker = make_tracker(num_frames_retain=10, num_frames_retain_silent=30)
    a, b = box_mask(0, 0), box_mask(8, 8)
    ids = []
    for t in range(30):
        if t < 3:
            objs, sounding_objs = [(0, 0.9, a), (1, 0.9, b)], {0, 1}
        elif t < 5:  # 0 visible but silent, 1 gone
            objs, sounding_objs = [(0, 0.9, a)], set()
        elif t < 25:  # 0 silent and not detected
            objs, sounding_objs = [], set()
        else:
            objs, sounding_objs = [(0, 0.9, a)], {0}
        q = frame(objs, seed=t)
        res = tracker.track(
            t, sound_probs=probs_for(objs, sounding_objs), **q)
        ids.append(ids_by_label(res))
    assert ids[:3] == [{0: 0, 1: 1}] * 3
    assert ids[3:25] == [{}] * 22
    assert ids[25:] == [{0: 0}] * 5
    assert tracker.ids == [0]  # object 1 was dropped
    # without the silent window, object 0 would come back with a new id
    plain = make_tracker(num_frames_retain=10)
    for t in range(30):
        objs = [(0, 0.9, a)] if t < 5 or t >= 25 else []
        res = plain.track(
            t, sound_probs=probs_for(objs, {0} if t < 3 or t >= 25 else ()),
            **frame(objs, seed=t))
    assert res.instances_id.tolist() == [1]


def test_silent_visible_query_never_output():
    """A confident, visible object whose sounding probability stays low is
    tracked but never output, smoothing or not; a sounding one is."""
    for momentum in (1.0, 0.5):
        tracker = make_tracker(sound_momentum=momentum)
        objs = [(0, 0.95, box_mask(0, 0)), (1, 0.95, box_mask(8, 8))]
        for t in range(8):
            res = tracker.track(
                t, audio_anchor=sounding(0, 1),  # ignored: probs given
                sound_probs=probs_for(objs, {1}), **frame(objs, seed=t))
            assert res.labels.tolist() == [1]
            assert bool((res.sound_scores > 0.5).all())
        assert tracker.num_live_tracks == 2
        assert tracker.tracks[0]['silent'] and not tracker.tracks[1]['silent']


def test_sounding_smoothed_per_track():
    """With sound_momentum 0.5, one silent frame inside a sounding run does
    not switch the track off (0.9 -> 0.5 * 0.9 + 0.5 * 0.05 = 0.475 would;
    0.5 * 0.9 + 0.5 * 0.2 = 0.55 does not), and a track that has been silent
    needs more than one frame of sound to turn on."""
    tracker = make_tracker(sound_momentum=0.5)
    objs = [(0, 0.9, box_mask(0, 0))]
    seq = [0.9, 0.9, 0.2, 0.9, 0.05, 0.05, 0.05, 0.6, 0.9]
    out = []
    for t, p in enumerate(seq):
        probs = torch.full((6, ), 0.1)
        probs[0] = p
        res = tracker.track(t, sound_probs=probs, **frame(objs, seed=t))
        out.append(len(res))
    # smoothed: .9 .9 .55 .725 .39 .22 .13 .37 .63
    assert out == [1, 1, 1, 1, 0, 0, 0, 0, 1]
    per_frame = make_tracker(sound_momentum=1.0)
    out = []
    for t, p in enumerate(seq):
        probs = torch.full((6, ), 0.1)
        probs[0] = p
        out.append(len(per_frame.track(t, sound_probs=probs,
                                       **frame(objs, seed=t))))
    assert out == [1, 1, 0, 1, 0, 0, 0, 1, 1]


def test_memory_untouched_by_unconfident_match():
    """A match accepted by match_thr but below update_sim_thr keeps the id
    and leaves the memory as it was; a confident one updates it."""
    tracker = make_tracker(match_thr=0.3, update_sim_thr=0.8,
                           momentums=dict(embeds=0.5))
    q = frame([(0, 0.9, box_mask(0, 0))])
    e0 = direction(0)
    q['embeds'][0] = e0
    tracker.track(0, audio_anchor=None, **q)
    # cosine 0.6 with the memory: matched (> 0.3), not confident (< 0.8)
    far = torch.zeros(D)
    far[0], far[1] = 0.6, 0.8
    q['embeds'][0] = far
    res = tracker.track(1, audio_anchor=None, **q)
    assert res.instances_id.tolist() == [0]
    assert torch.equal(tracker.tracks[0]['embeds'], e0)
    assert tracker.tracks[0]['frame_ids'] == 1
    # cosine 0.95: confident, the memory moves
    near = torch.zeros(D)
    near[0], near[1] = 0.95, (1 - 0.95**2)**0.5
    q['embeds'][0] = near
    tracker.track(2, audio_anchor=None, **q)
    expected = torch.nn.functional.normalize(0.5 * e0 + 0.5 * near, dim=0)
    assert torch.allclose(tracker.tracks[0]['embeds'], expected, atol=1e-6)
    # a low-score candidate does not update it either (update_score_thr)
    low = make_tracker(update_score_thr=0.8)
    q = frame([(0, 0.9, box_mask(0, 0))])
    low.track(0, audio_anchor=None, **q)
    before = low.tracks[0]['embeds'].clone()
    q2 = frame([(0, 0.6, box_mask(0, 0))], seed=5)
    assert low.track(1, audio_anchor=None, **q2).instances_id.tolist() == [0]
    assert torch.equal(low.tracks[0]['embeds'], before)


def test_bad_identity_and_probability_inputs():
    tracker = make_tracker()
    q = frame([(0, 0.9, box_mask(0, 0))])
    with pytest.raises(ValueError, match='id_embeds'):
        tracker.track(0, id_embeds=torch.zeros(5, 4), **q)
    with pytest.raises(ValueError, match='sound_probs'):
        tracker.track(0, sound_probs=torch.zeros(2), **q)
    with pytest.raises(ValueError, match='sound_momentum'):
        make_tracker(sound_momentum=0.0)
    with pytest.raises(ValueError, match='num_frames_retain_silent'):
        make_tracker(num_frames_retain_silent=-1)


def test_use_identity_and_use_sound_probs_switches():
    """Evaluation-only switches: associate on the sound-aware embeddings,
    gate on the anchor cosine, although the model gives both."""
    objs = [(0, 0.9, box_mask(0, 0)), (1, 0.9, box_mask(8, 8))]
    q = frame(objs)
    wrong_ids = q['embeds'][[1, 0, 2, 3, 4, 5]]  # identity swapped
    probs = probs_for(objs, {0})
    tracker = make_tracker(use_identity=False, use_sound_probs=False)
    tracker.track(0, audio_anchor=sounding(1), id_embeds=wrong_ids,
                  sound_probs=probs, **q)
    res = tracker.track(1, audio_anchor=sounding(1), id_embeds=q['embeds'],
                        sound_probs=probs, **frame(objs, seed=1))
    assert ids_by_label(res) == {1: 1}  # cosine gate: object 1 sounds
    on = make_tracker()
    on.track(0, audio_anchor=sounding(1), id_embeds=wrong_ids,
             sound_probs=probs, **q)
    res = on.track(1, audio_anchor=sounding(1), id_embeds=q['embeds'],
                   sound_probs=probs, **frame(objs, seed=1))
    # probability gate: object 0 sounds; identity swapped between frames,
    # so object 0 takes the track born from object 1's identity
    assert res.labels.tolist() == [0] and res.instances_id.tolist() == [1]
