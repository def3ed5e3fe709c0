# Copyright (c) seavis_mm contributors. All rights reserved.
import copy

import pytest
import torch
import torch.nn.functional as F
from mmengine.optim import OptimWrapper

from seavis_mm.registry import MODELS
from ..apis.small_seavis import open_model_tracker
from ._tiny import build_tiny, synthetic_batch, tiny_cfg

ZOO = [
    'seavis_r18_toyavis.py', 'seavis_r18_toyavis_no-agcl.py',
    'seavis_r18_toyavis_no-ccaf.py', 'mask2former-minvis_r18_toyavis.py',
    'mask2former-film_r18_toyavis.py', 'seavis_r18_toyavis_no-identity.py',
    'seavis_r18_toyavis_no-sound-prob.py', 'seavis_r18_toyavis_prev.py',
    'seavis_r18_toyavis_mask-pos.py', 'seavis_r18_toyavis_query-loc.py',
    'seavis_r18_toyavis_query-loc_sound-drawn.py',
    'seavis_r18_toyavis_query-loc_pos-query.py',
    'seavis_r18_toyavis_sound-drawn.py',
    'seavis_r18_toyavis_query-loc_one-to-many.py',
    'seavis_r18_toyavis_one-to-many.py',
    'seavis_r18_toyavis_split-components.py',
    'seavis_r18_toyavis_mask-piloted.py', 'seavis_r18_toyavis_fine-mask.py',
    'seavis_r18_toyavis_query-loc_one-to-many_fine-mask.py',
    'seavis_r18_toyavis_query-loc_one-to-many_votes.py',
    'seavis_r18_toyavis_query-loc_one-to-many_votes_rival.py',
    'seavis_r18_toyavis_hybrid.py',
    'seavis_r18_toyavis_query-loc_votes_hybrid.py',
    'seavis_r18_toyavis_sounding-seg.py',
    'seavis_r18_toyavis_mask-quality.py',
    'seavis_r18_toyavis_query-loc_one-to-many_votes_mask-quality.py',
    'seavis_r18_toyavis_dec6.py', 'seavis_r18_toyavis_ema.py',
    'seavis_r18_toyavis_copy-paste.py',
    'seavis_r18_toyavis_copy-paste-near.py',
    'seavis_r18_toyavis_query-loc_one-to-many_votes_copy-paste-near.py',
    'seavis_r18_toyavis_sound-anchors.py',
    'seavis_r18_toyavis_sound-class-prior.py',
    'seavis_r18_toyavis_visible-gt.py',
    'seavis_r18_toyavis_visible-gt_sound-class-prior.py'
]


def test_loss_terms_and_backward():
    model = build_tiny()
    model.train()
    data = model.data_preprocessor(synthetic_batch(), training=True)
    losses = model.loss(**data)
    for key in ('loss_cls', 'loss_mask', 'loss_dice', 'loss_agcl_frame',
                'loss_agcl_instance', 'loss_identity', 'loss_sound'):
        assert key in losses and torch.isfinite(losses[key]), key
    # instance 12 is silent in odd frames: the instance loss is active
    assert losses['loss_agcl_instance'].item() > 0
    # instance 11 is matched in every frame: the identity loss is active
    assert losses['loss_identity'].item() > 0
    total = sum(v for k, v in losses.items() if 'loss' in k)
    total.backward()
    grads = [p.grad for n, p in model.named_parameters() if 'audio' in n]
    assert any(g is not None and g.abs().sum() > 0 for g in grads)
    for name in ('id_embed', 'sound_log_scale', 'sound_bias'):
        grads = [p.grad for n, p in model.named_parameters() if name in n]
        assert grads and all(g is not None for g in grads), name


def test_query_outputs_per_model():
    """The per-query outputs the tracker (and an export) gets: identity
    and sounding logits only where the config has them."""
    torch.manual_seed(0)
    feat, audio = torch.randn(2, 6, 128), torch.randn(2, 128)
    expected = {
        'seavis_r18_toyavis.py':
        {'embeds', 'id_embeds', 'anchor', 'sound_logits'},
        'seavis_r18_toyavis_no-identity.py':
        {'embeds', 'anchor', 'sound_logits'},
        'seavis_r18_toyavis_no-sound-prob.py':
        {'embeds', 'id_embeds', 'anchor'},
        'mask2former-minvis_r18_toyavis.py': {'embeds'},
    }
    for name, keys in expected.items():
        head = build_tiny(name).track_head
        out = head.query_outputs(feat, audio)
        assert set(out) == keys, name
        if 'sound_logits' in out:
            cos = torch.einsum('bqd,bd->bq', out['embeds'], out['anchor'])
            # a monotone map of the anchor cosine (scale > 0)
            order = cos.argsort(dim=1)
            assert torch.equal(out['sound_logits'].argsort(dim=1), order)
        if 'id_embeds' in out:
            assert torch.allclose(out['id_embeds'].norm(dim=-1),
                                  torch.ones(2, 6))


def test_sound_anchors_score_each_query_at_its_nearest():
    """With K sounding anchors a query's logit is s * max_k <e, p_k> + b,
    AGCL's anchor first; two queries near two different anchors both
    score high, which one anchor between them cannot give."""
    torch.manual_seed(0)
    head = build_tiny('seavis_r18_toyavis_sound-anchors.py').track_head
    assert head.sound_anchors == 4
    feat, audio = torch.randn(2, 6, 128), torch.randn(2, 128)
    out = head.query_outputs(feat, audio)
    anchors = head.sound_anchor_set(audio, out['anchor'])
    assert anchors.shape == (2, 4, out['anchor'].shape[-1])
    assert torch.equal(anchors[:, 0], out['anchor'])
    assert torch.allclose(anchors.norm(dim=-1), torch.ones(2, 4))
    cos = torch.einsum('bqd,bkd->bqk', out['embeds'], anchors)
    expected = head.sound_log_scale.exp() * cos.amax(-1) + head.sound_bias
    assert torch.allclose(out['sound_logits'], expected)
    # hand-made: queries on e1 and e2, anchors e1 and e2: both cos 1;
    # their mean, the best one anchor can do, gives each 1 / sqrt(2)
    e = torch.eye(4)[None, :2]
    two = head.sound_logits(e, torch.eye(4)[None, :2])
    one = head.sound_logits(e, F.normalize(e.sum(1), dim=-1))
    assert torch.allclose(two, head.sound_log_scale.exp() + head.sound_bias)
    assert (two > one).all()
    # trained: the extra anchors get gradients from the sounding loss
    model = build_tiny('seavis_r18_toyavis_sound-anchors.py')
    model.train()
    data = model.data_preprocessor(synthetic_batch(), training=True)
    model.loss(**data)['loss_sound'].backward()
    grads = [p.grad for n, p in model.named_parameters()
             if 'sound_anchor_extra' in n]
    assert grads and all(g is not None and g.abs().sum() > 0 for g in grads)
    cfg = tiny_cfg('seavis_r18_toyavis_sound-anchors.py')
    cfg.model.track_head.loss_sound = None
    with pytest.raises(ValueError, match='set loss_sound'):
        MODELS.build(cfg.model)


def test_sound_class_prior_adds_the_audio_categories():
    """With sound_class_prior the sounding logit adds beta * sum_c
    p(c | q) a_c; the audio classifier trains on the categories of each
    frame's sounding ground truth."""
    torch.manual_seed(0)
    name = 'seavis_r18_toyavis_sound-class-prior.py'
    head = build_tiny(name).track_head
    feat, audio = torch.randn(2, 6, 128), torch.randn(2, 128)
    out = head.query_outputs(feat, audio)
    cos = torch.einsum('bqd,bd->bq', out['embeds'], out['anchor'])
    probs = head.cls_embed(head.transformer_decoder.post_norm(feat)).softmax(
        -1)[..., :-1]
    prior = torch.einsum('bqc,bc->bq', probs, head.audio_cls(audio))
    expected = head.sound_log_scale.exp() * cos + head.sound_bias + prior
    assert torch.allclose(out['sound_logits'], expected, atol=1e-6)
    # the audio's categories: BCE against each frame's labels
    labels = [torch.tensor([0, 2]), torch.tensor([], dtype=torch.long)]
    target = torch.tensor([[1., 0, 1, 0, 0], [0, 0, 0, 0, 0]])
    assert torch.allclose(
        head._loss_audio_cls(audio, labels),
        F.binary_cross_entropy_with_logits(head.audio_cls(audio), target))
    model = build_tiny(name)
    model.train()
    data = model.data_preprocessor(synthetic_batch(), training=True)
    losses = model.loss(**data)
    assert torch.isfinite(losses['loss_audio_cls'])
    (losses['loss_sound'] + losses['loss_audio_cls']).backward()
    for part in ('audio_cls', 'sound_prior_weight'):
        grads = [p.grad for n, p in model.named_parameters() if part in n]
        assert grads and all(g is not None and g.abs().sum() > 0
                             for g in grads), part
    # the class head is not moved by the sounding loss through the prior
    model.zero_grad()
    losses = model.loss(**data)
    losses['loss_sound'].backward()
    assert model.track_head.cls_embed.weight.grad is None or \
        model.track_head.cls_embed.weight.grad.abs().sum() == 0
    plain = build_tiny()
    assert 'loss_audio_cls' not in plain.loss(
        **plain.data_preprocessor(synthetic_batch(), training=True))
    cfg = tiny_cfg(name)
    cfg.model.track_head.loss_sound = None
    with pytest.raises(ValueError, match='set loss_sound'):
        MODELS.build(cfg.model)


@pytest.mark.parametrize('name', ZOO)
def test_two_train_steps_and_predict(name):
    model = build_tiny(name)
    model.train()
    optim = OptimWrapper(torch.optim.AdamW(model.parameters(), lr=1e-3))
    for _ in range(2):
        log_vars = model.train_step(synthetic_batch(), optim)
        assert torch.isfinite(log_vars['loss'])
    model.eval()
    with torch.no_grad():
        out = model.test_step(synthetic_batch(num_clips=1, clip_len=4))
    assert len(out) == 1 and len(out[0]) == 4
    for frame in out[0]:
        pred = frame.pred_track_instances
        n = len(pred)
        assert pred.masks.shape[1:] == (64, 64)
        assert pred.masks.dtype == torch.bool
        assert pred.labels.shape == pred.scores.shape == (n, )
        assert pred.instances_id.dtype == torch.long


def test_predict_equals_frame_by_frame_stream():
    """predict() on a whole video == the same frames one at a time with the
    stream state carried inside the model (the online path)."""
    model = build_tiny()
    # low thresholds so an untrained model outputs instances to compare
    open_model_tracker(model)
    model.eval()
    video = synthetic_batch(num_clips=1, clip_len=5, seed=3)
    with torch.no_grad():
        whole = model.test_step(copy.deepcopy(video))[0]
        frames = []
        for t in range(5):
            one = synthetic_batch(num_clips=1, clip_len=1, seed=3)
            one['inputs'] = dict(
                imgs=[video['inputs']['imgs'][0][t:t + 1]],
                audio=[video['inputs']['audio'][0][t:t + 1]])
            one['data_samples'][0].video_data_samples = [
                copy.deepcopy(video['data_samples'][0][t])
            ]
            frames.append(model.test_step(one)[0][0])
    assert sum(len(f.pred_track_instances) for f in frames) > 0
    for a, b in zip(whole, frames):
        pa, pb = a.pred_track_instances, b.pred_track_instances
        assert torch.equal(pa.instances_id, pb.instances_id)
        assert torch.equal(pa.masks, pb.masks)
        assert torch.allclose(pa.scores, pb.scores, atol=1e-5)


def test_stream_resets_at_frame_zero():
    model = build_tiny()
    open_model_tracker(model)
    model.eval()
    with torch.no_grad():
        first = model.test_step(synthetic_batch(num_clips=1, clip_len=3))
        again = model.test_step(synthetic_batch(num_clips=1, clip_len=3))
    for a, b in zip(first[0], again[0]):
        assert torch.equal(a.pred_track_instances.instances_id,
                           b.pred_track_instances.instances_id)
    assert model.neck.cache_len == 3


def test_audio_model_refuses_missing_audio():
    model = build_tiny()
    batch = synthetic_batch()
    batch['inputs'].pop('audio')
    with pytest.raises(ValueError, match='audio'):
        data = model.data_preprocessor(batch, training=True)
        model.loss(**data)


def test_forward_frame_carries_identity_and_sounding():
    """The exported per-frame network returns the identity embeddings and
    the sounding logits, and track_frame gives the tracker their
    probabilities (a prob threshold of 1 outputs nothing, 0 everything
    tracked)."""
    model = build_tiny()
    model.eval()
    # the loop below sets the sounding threshold it tests
    open_model_tracker(model, match_thr=-1.0)
    data = model.data_preprocessor(
        synthetic_batch(num_clips=1, clip_len=1), training=False)
    img = data['inputs']['imgs'][0][:1]
    audio = data['inputs']['audio'][0][:1]
    frame = data['data_samples'][0][0]
    with torch.no_grad():
        outputs, state = model.forward_frame(img, audio, model.init_state())
    q = model.track_head.num_queries
    assert outputs['id_embeds'].shape == (q, 128)
    assert outputs['sound_logits'].shape == (q, )
    assert set(state) == set(model.init_state())
    for thr, expected in ((1.0, 0), (0.0, q)):
        model.tracker.sound_prob_thr = thr
        res = model.track_frame(outputs, frame)
        assert len(res) == expected
        if expected:
            probs = outputs['sound_logits'].sigmoid()
            assert torch.allclose(res.sound_scores.sort().values,
                                  probs.sort().values)


def test_deeper_decoder_supervises_every_layer():
    """seavis_r18_toyavis_dec6.py: six decoder layers, each with its own
    deep-supervision losses (the default has three)."""
    from mmengine.config import Config

    from seavis_mm.registry import MODELS
    from ._tiny import CONFIG_DIR, tiny_cfg
    cfg = Config.fromfile(f'{CONFIG_DIR}/seavis_r18_toyavis_dec6.py')
    assert cfg.model.track_head.transformer_decoder.num_layers == 6
    small = tiny_cfg('seavis_r18_toyavis_dec6.py')
    small.model.track_head.transformer_decoder.num_layers = 6
    torch.manual_seed(0)
    model = MODELS.build(small.model)
    model.train()
    data = model.data_preprocessor(synthetic_batch(), training=True)
    losses = model.loss(**data)
    # Mask2Former supervises the queries before the first layer too: d0 to
    # d5, and the last layer's as loss_mask
    assert {f'd{i}.loss_mask' for i in range(6)} <= set(losses)
    assert 'd6.loss_mask' not in losses


def test_visible_ground_truth_trains_sounding_apart():
    """With every visible object in the ground truth
    (``gt_instances.sounding``), masks, classes and identity train on all
    of them, and the sounding losses take a query matched to a silent
    object as silent."""
    model = build_tiny()
    model.train()

    def losses(flags):
        """Losses on the visible batch; ``flags(t)``: the sounding flags
        of frame t, None: no ``sounding`` field."""
        batch = synthetic_batch(visible=True)
        for clip in batch['data_samples']:
            for t, frame in enumerate(clip.video_data_samples):
                if flags is None:
                    del frame.gt_instances.sounding
                else:
                    frame.gt_instances.sounding = torch.tensor(flags(t))
        data = model.data_preprocessor(batch, training=True)
        torch.manual_seed(0)  # the same sampled points and dropout
        return model.loss(**data)

    # every object sounding: the same losses as a ground truth without flags
    heard = losses(lambda t: [True, True])
    plain = losses(None)
    for key in plain:
        assert torch.allclose(plain[key], heard[key]), key
    # instance 12 silent at odd frames: only the sounding losses change
    half = losses(lambda t: [True, t % 2 == 0])
    for key in ('loss_cls', 'loss_mask', 'loss_dice', 'loss_identity'):
        assert torch.allclose(half[key], heard[key]), key
    for key in ('loss_sound', 'loss_agcl_frame'):
        assert not torch.allclose(half[key], heard[key]), key


def test_sounding_matches_drop_silent_objects():
    from types import SimpleNamespace

    from mmengine.structures import InstanceData

    from seavis_mm.models.heads import SeaVISHead
    match_ids = torch.tensor([[11, -1, 12, -1], [-1, 12, -1, 11]])
    final = [
        SimpleNamespace(pos_inds=torch.tensor([0, 2]),
                        pos_assigned_gt_inds=torch.tensor([0, 1])),
        SimpleNamespace(pos_inds=torch.tensor([1, 3]),
                        pos_assigned_gt_inds=torch.tensor([1, 0])),
    ]
    gt = [
        InstanceData(sounding=torch.tensor([True, False])),
        InstanceData(sounding=torch.tensor([False, True])),
    ]
    out = SeaVISHead._sounding_matches(match_ids, final, gt)
    assert out.tolist() == [[11, -1, -1, -1], [-1, 12, -1, -1]]
    assert match_ids[0, 2] == 12  # the identity loss keeps its matches
    plain = [InstanceData(), InstanceData()]
    assert SeaVISHead._sounding_matches(match_ids, final, plain) is match_ids
    with pytest.raises(ValueError, match='some frames'):
        SeaVISHead._sounding_matches(match_ids, final, [gt[0], plain[1]])
