# SeaVIS Swin-L on AVISeg (paper scale; not reproduced here): 200 queries,
# test short side 448 as AVISM's Swin-L.
_base_ = './seavis_r50_8xb2-20k_aviseg.py'
depths = [2, 2, 18, 2]
model = dict(
    backbone=dict(
        _delete_=True,
        type='mmdet.SwinTransformer',
        pretrain_img_size=384,
        embed_dims=192,
        depths=depths,
        num_heads=[6, 12, 24, 48],
        window_size=12,
        mlp_ratio=4,
        qkv_bias=True,
        qk_scale=None,
        drop_rate=0.,
        attn_drop_rate=0.,
        drop_path_rate=0.3,
        patch_norm=True,
        out_indices=(0, 1, 2, 3),
        with_cp=False,
        convert_weights=True,
        frozen_stages=-1,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://github.com/SwinTransformer/storage/releases/'
            'download/v1.0.0/swin_large_patch4_window12_384_22k.pth')),
    track_head=dict(in_channels=[192, 384, 768, 1536], num_queries=200))
test_pipeline = [
    dict(
        type='TransformBroadcaster',
        transforms=[
            dict(type='LoadImageFromFile'),
            dict(type='Resize', scale=(1333, 448), keep_ratio=True),
            dict(type='LoadTrackAnnotations', with_mask=True),
        ]),
    dict(type='LoadAudioWindows'),
    dict(type='PackAVISInputs')
]
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
