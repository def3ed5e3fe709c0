# SeaVIS with a ResNet-50 backbone, Mask2Former at AVISM's scale:
# MSDeformAttn pixel decoder with 6 encoder layers,
# hidden 256, 9 decoder layers, 8 heads, 100 queries, class 2 / mask 5 /
# dice 5, no-object 0.1, 12544 sampled points.
# Per query, identity and sounding are learned apart (configs/seavis/README.md):
# an identity embedding the tracker associates on (IdentityContrastLoss over
# the clip's frames by ground-truth ids), and a sounding probability grounded
# in the audio anchor (SoundingBCELoss, silent frames included) on the AGCL
# embedding, which the tracker gates on, smoothed per track.
num_classes = 26
embed_dims = 256
audio_channels = 128

model = dict(
    type='SeaVIS',
    data_preprocessor=dict(
        type='AVISDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_mask=True,
        pad_size_divisor=32),
    backbone=dict(
        type='mmdet.ResNet',
        depth=50,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        frozen_stages=-1,
        norm_cfg=dict(type='BN', requires_grad=False),
        norm_eval=True,
        style='pytorch',
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50')),
    audio_encoder=dict(
        type='VGGishAudioEncoder',
        channels=(64, 128, 256, 256, 512, 512),
        fc_dims=(4096, 4096, audio_channels)),
    neck=dict(
        type='CCAF',
        feat_channels=256,
        audio_channels=audio_channels,
        num_heads=8,
        feedforward_channels=512,
        fuse_levels=(0, 1, 2),
        fuse_mask_features=False,
        history='ring',
        history_size=64),
    track_head=dict(
        type='SeaVISHead',
        in_channels=[256, 512, 1024, 2048],
        strides=[4, 8, 16, 32],
        feat_channels=256,
        out_channels=256,
        num_things_classes=num_classes,
        num_stuff_classes=0,
        num_queries=100,
        num_transformer_feat_level=3,
        embed_dims=embed_dims,
        num_embed_fcs=3,
        audio_channels=audio_channels,
        id_embed_dims=embed_dims,
        num_id_fcs=3,
        pixel_decoder=dict(
            type='MSDeformAttnPixelDecoder',
            num_outs=3,
            norm_cfg=dict(type='GN', num_groups=32),
            act_cfg=dict(type='ReLU'),
            encoder=dict(
                num_layers=6,
                layer_cfg=dict(
                    self_attn_cfg=dict(
                        embed_dims=256,
                        num_heads=8,
                        num_levels=3,
                        num_points=4,
                        im2col_step=128,
                        dropout=0.0,
                        batch_first=True),
                    ffn_cfg=dict(
                        embed_dims=256,
                        feedforward_channels=1024,
                        num_fcs=2,
                        ffn_drop=0.0,
                        act_cfg=dict(type='ReLU', inplace=True)))),
            positional_encoding=dict(num_feats=128, normalize=True)),
        enforce_decoder_input_project=False,
        positional_encoding=dict(num_feats=128, normalize=True),
        transformer_decoder=dict(
            return_intermediate=True,
            num_layers=9,
            layer_cfg=dict(
                self_attn_cfg=dict(
                    embed_dims=256, num_heads=8, dropout=0.0,
                    batch_first=True),
                cross_attn_cfg=dict(
                    embed_dims=256, num_heads=8, dropout=0.0,
                    batch_first=True),
                ffn_cfg=dict(
                    embed_dims=256,
                    feedforward_channels=2048,
                    num_fcs=2,
                    ffn_drop=0.0,
                    act_cfg=dict(type='ReLU', inplace=True))),
            init_cfg=None),
        loss_cls=dict(
            type='mmdet.CrossEntropyLoss',
            use_sigmoid=False,
            loss_weight=2.0,
            reduction='mean',
            class_weight=[1.0] * num_classes + [0.1]),
        loss_mask=dict(
            type='mmdet.CrossEntropyLoss',
            use_sigmoid=True,
            reduction='mean',
            loss_weight=5.0),
        loss_dice=dict(
            type='mmdet.DiceLoss',
            use_sigmoid=True,
            activate=True,
            reduction='mean',
            naive_dice=True,
            eps=1.0,
            loss_weight=5.0),
        loss_agcl_frame=dict(
            type='AGCLFrameLoss', temperature=0.1, loss_weight=1.0),
        loss_agcl_instance=dict(
            type='AGCLInstanceLoss',
            temperature=0.1,
            loss_weight=1.0,
            exclude_cosounding=True),
        loss_identity=dict(
            type='IdentityContrastLoss',
            temperature=0.1,
            momentum=0.5,
            loss_weight=1.0),
        loss_sound=dict(
            type='SoundingBCELoss', silent_frames=True, loss_weight=2.0),
        train_cfg=dict(
            num_points=12544,
            oversample_ratio=3.0,
            importance_sample_ratio=0.75,
            assigner=dict(
                type='mmdet.HungarianAssigner',
                match_costs=[
                    dict(type='mmdet.ClassificationCost', weight=2.0),
                    dict(
                        type='mmdet.CrossEntropyLossCost',
                        weight=5.0,
                        use_sigmoid=True),
                    dict(type='mmdet.DiceCost', weight=5.0, pred_act=True,
                         eps=1.0)
                ]),
            sampler=dict(type='mmdet.MaskPseudoSampler'))),
    # thresholds chosen on ToyAVIS val with
    # tools/analysis_tools/sweep_tracker.py (configs/seavis/README.md)
    tracker=dict(
        type='SoundAwareTracker',
        score_thr=0.5,
        init_score_thr=0.5,
        match_thr=0.3,
        momentum=0.5,
        num_frames_retain=30,
        num_frames_retain_silent=90,
        sound_gate=True,
        sound_thr=0.0,
        sound_prob_thr=0.5,
        sound_momentum=1.0,
        update_sim_thr=0.5))
