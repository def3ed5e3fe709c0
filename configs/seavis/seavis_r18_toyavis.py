# SeaVIS, small R18 on ToyAVIS, trained from scratch on 2 CPU cores.
# The zoo's ablations and baselines inherit this file and change only the
# part they study (configs/seavis/README.md). The full model of issue 13:
# identity and sounding learned apart (_base_/models/seavis_r50.py), and
# CCAF attending to the 2 x 4 time-frequency cells of the audio encoder's
# last conv map, keyed by age, with the 15 audio frames before each training
# clip (ablations: seavis_r18_toyavis_audio-stream_no-past-audio.py and
# seavis_r18_toyavis_audio-stream_one-audio-token.py).
_base_ = [
    '../_base_/models/seavis_r50.py', '../_base_/datasets/toyavis.py',
    '../_base_/schedules/schedule_20k.py', '../_base_/default_runtime.py'
]
num_classes = 5
feat = 128
audio_channels = 128
# 3,200 iterations (step at 2,560): the iteration curve of
# configs/seavis/README.md beat 1,600 on FSLA and HOTA on both seeds and both
# val sets (val 62.9 / 63.7 and 62.4 / 63.9 against 61.6 / 62.3 and
# 60.2 / 62.1), and 1,600 beat 600. About 1 s an iteration (the log's median)
# on one core of the AVX-512 host, about 55 minutes; the AVX2 host ran the
# zoo at about 3 s. The zoo's comparisons keep 400 for every row
# (tools/run_zoo.sh ITERS).
max_iters = 3200

model = dict(
    backbone=dict(
        depth=18,
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=False,
        init_cfg=None),
    audio_encoder=dict(
        channels=(16, 32, 64, 64, 128, 128),
        fc_dims=(256, audio_channels),
        tokens='cells',
        cell_grid=(2, 4)),
    neck=dict(
        feat_channels=feat,
        audio_channels=128,  # the encoder's token_channels (last conv)
        num_heads=4,
        feedforward_channels=256,
        fuse_mask_features=True,
        history_size=16,
        tokens_per_frame=8,
        time_embed='age',
        max_age=16,
        past_audio_frames=15),
    track_head=dict(
        in_channels=[64, 128, 256, 512],
        feat_channels=feat,
        out_channels=feat,
        num_things_classes=num_classes,
        num_queries=20,
        embed_dims=feat,
        id_embed_dims=feat,
        audio_channels=audio_channels,
        pixel_decoder=dict(
            encoder=dict(
                num_layers=2,
                layer_cfg=dict(
                    self_attn_cfg=dict(embed_dims=feat, num_heads=4),
                    ffn_cfg=dict(embed_dims=feat, feedforward_channels=512))),
            positional_encoding=dict(num_feats=feat // 2)),
        positional_encoding=dict(num_feats=feat // 2),
        transformer_decoder=dict(
            num_layers=3,
            layer_cfg=dict(
                self_attn_cfg=dict(embed_dims=feat, num_heads=4),
                cross_attn_cfg=dict(embed_dims=feat, num_heads=4),
                ffn_cfg=dict(embed_dims=feat, feedforward_channels=512))),
        loss_cls=dict(class_weight=[1.0] * num_classes + [0.1]),
        train_cfg=dict(num_points=2048)),
    # Mask NMS among the candidates, and candidates kept down to 0.3 (new
    # tracks still need init_score_thr=0.5): a small model from scratch
    # fires twice on some objects, and each duplicate costs a frame's FSLA.
    # Chosen on the calibration split, not on val
    # (tools/analysis_tools/sweep_tracker.py, grid mask_nms_thr 0.05-0.7 and
    # off x score_thr 0.3 / 0.5 / 0.7 on both seeds' 400-iteration models:
    # the best mean FSLA, the larger NMS threshold of a tie); it then beat
    # the previous tracker settings in FSLA and HOTA on val and val2 on both
    # seeds (configs/seavis/README.md). The paper-scale configs keep no NMS:
    # crowded real scenes overlap far more than ToyAVIS.
    tracker=dict(mask_nms_thr=0.1, score_thr=0.3),
)

optim_wrapper = dict(
    optimizer=dict(lr=3e-4),
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=1.0)}),
    clip_grad=dict(max_norm=1.0))
param_scheduler = dict(end=max_iters, milestones=[int(max_iters * 0.8)])
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=100, max_keep_ckpts=2))
randomness = dict(seed=0)
