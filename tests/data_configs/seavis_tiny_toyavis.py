# The real ToyAVIS config, shrunk so that a training iteration takes a
# fraction of a second on one CPU thread (tests/engine). Only sizes change:
# every component, hook and the checkpoint format are the real ones.
_base_ = ['../../configs/seavis/seavis_r18_toyavis.py']

data_root = 'data/toyavis/'  # tests override it with the generated data

model = dict(
    # ResNet-18 at a quarter of its width: 0.7M instead of 11M parameters,
    # so a checkpoint (weights + AdamW moments) is ~37 MB, not 160 MB
    backbone=dict(base_channels=16),
    track_head=dict(
        in_channels=[16, 32, 64, 128],
        num_queries=6,
        pixel_decoder=dict(encoder=dict(num_layers=1)),
        # the real 3 decoder layers: one per feature level, so every CCAF
        # level gets a gradient (with fewer, DDP finds unused parameters)
        train_cfg=dict(num_points=64)))

# 2-frame clips, resize and flip only (the base adds zoom, crop and colour
# augmentation: tests/data/test_augmentation.py)
train_pipeline = [
    dict(type='AVISClipSample', num_frames=2, interval=1),
    dict(
        type='TransformBroadcaster',
        share_random_params=True,
        transforms=[
            dict(type='LoadImageFromFile'),
            dict(type='LoadTrackAnnotations', with_mask=True),
            dict(type='Resize', scale=(128, 128), keep_ratio=True),
            dict(type='RandomFlip', prob=0.5),
        ]),
    dict(type='LoadAudioWindows'),
    dict(type='PackAVISInputs')
]

# in-process loading: no worker processes to fork on a shared 2-core box;
# the augmentation RNG (python's, numpy's) lives in the main process, seeded
# by `randomness`, and a resumed run replays it by fast-forwarding the
# dataloader over the batches already trained
train_dataloader = dict(
    batch_size=1,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        data_root=data_root,
        pipeline=train_pipeline))
val_dataloader = dict(
    num_workers=0, persistent_workers=False, dataset=dict(data_root=data_root))
test_dataloader = val_dataloader

max_iters = 4
param_scheduler = dict(end=max_iters, milestones=[max_iters])
# IterBasedTrainLoop validates at the last iteration whatever val_interval
# says; val_begin past the end skips it (tools/test.py is tested apart)
train_cfg = dict(max_iters=max_iters, val_interval=1000, val_begin=1000)
default_hooks = dict(
    logger=dict(interval=1),
    checkpoint=dict(interval=2, max_keep_ckpts=-1, save_last=True))
randomness = dict(seed=0, deterministic=True)
