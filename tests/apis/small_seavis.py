# Copyright (c) seavis_mm contributors. All rights reserved.
"""A very small real SeaVIS for stream tests: the ToyAVIS config of
``tests/models/_tiny.py`` shrunk to 32 x 32 frames, 32-dim features and
a quarter-width ResNet-18 / VGGish, so a ``step()`` costs ~10 ms on a CPU.
"""
from mmengine.config import Config

from ..models._tiny import tiny_cfg

FEAT = 32
AUDIO = 32


def small_seavis_cfg(size: int = 32, fps: float = 10.0) -> Config:
    """The shrunk config (random init), test pipeline resizing to
    ``size`` and the model running at ``fps``. The tracker's thresholds and
    CCAF's history (``ring``, 16 embeddings) are the config's own."""
    cfg = tiny_cfg()
    m = cfg.model
    m.backbone.base_channels = 16
    m.audio_encoder.update(channels=(8, 8, 16, 16, 32, 32),
                           fc_dims=(64, AUDIO))
    m.neck.update(feat_channels=FEAT, audio_channels=AUDIO, num_heads=2,
                  feedforward_channels=64)
    head = m.track_head
    head.update(in_channels=[16, 32, 64, 128], feat_channels=FEAT,
                out_channels=FEAT, embed_dims=FEAT, audio_channels=AUDIO)
    enc = head.pixel_decoder.encoder.layer_cfg
    enc.self_attn_cfg.update(embed_dims=FEAT, num_heads=2)
    enc.ffn_cfg.update(embed_dims=FEAT, feedforward_channels=64)
    # 32 groups of one channel would fail on the 1 x 1 stride-32 level
    head.pixel_decoder.norm_cfg = dict(type='GN', num_groups=8)
    head.pixel_decoder.positional_encoding.num_feats = FEAT // 2
    head.positional_encoding.num_feats = FEAT // 2
    dec = head.transformer_decoder.layer_cfg
    dec.self_attn_cfg.update(embed_dims=FEAT, num_heads=2)
    dec.cross_attn_cfg.update(embed_dims=FEAT, num_heads=2)
    dec.ffn_cfg.update(embed_dims=FEAT, feedforward_channels=64)
    for t in cfg.test_dataloader.dataset.pipeline[0]['transforms']:
        if t['type'] == 'Resize':
            t['scale'] = (size, size)
    cfg.test_dataloader.dataset.fps = fps
    return cfg


# random weights output nothing through the calibrated thresholds: every
# test that streams a random model opens them (else it compares nothing);
# mask NMS off, since a random model's masks all overlap
OPEN_TRACKER = dict(
    score_thr=0.0,
    init_score_thr=0.0,
    sound_thr=-1.0,
    sound_prob_thr=0.0,
    mask_nms_thr=None)


def open_tracker(cfg: Config, **overrides) -> Config:
    """Open ``cfg``'s tracker for a random-weight model (``overrides`` on
    top of :data:`OPEN_TRACKER`); returns ``cfg``."""
    cfg.model.tracker.update(dict(OPEN_TRACKER, **overrides))
    return cfg


def open_model_tracker(model, **overrides) -> None:
    """Open a built model's tracker as :func:`open_tracker` opens a
    config's (``overrides`` on top of :data:`OPEN_TRACKER`)."""
    for key, value in dict(OPEN_TRACKER, **overrides).items():
        setattr(model.tracker, key, value)
