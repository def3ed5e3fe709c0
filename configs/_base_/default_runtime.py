default_scope = 'seavis_mm'

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=20),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(
        type='CheckpointHook',
        by_epoch=False,
        interval=500,
        save_last=True,
        max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    # mmdet's TrackVisualizationHook, with AVISeg's video folders; off
    # unless tools/test.py --show / --show-dir turns it on; every frame (at
    # 1 fps mmdet's default of one in 30 skips half a minute)
    visualization=dict(
        type='AVISVisualizationHook', draw=False, frame_interval=1))

custom_hooks = [
    # stop at the first non-finite loss, naming the iteration and the term,
    # instead of writing NaN checkpoints
    dict(type='CheckFiniteLossHook', priority='ABOVE_NORMAL'),
    # seed torch from (seed, iteration) before every iteration, so that a
    # run resumed with --resume reproduces the uninterrupted one exactly
    dict(type='IterSeedHook'),
]

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    # nccl on GPUs; tools/train.py falls back to gloo when CUDA is absent
    dist_cfg=dict(backend='nccl'),
)

vis_backends = [dict(type='LocalVisBackend')]
# the one drawing path (masks, class, track id, sounding indicator), shared
# with the demo and browse_dataset
visualizer = dict(
    type='SeaVISLocalVisualizer', vis_backends=vis_backends, name='visualizer')
log_processor = dict(type='LogProcessor', window_size=20, by_epoch=False)

log_level = 'INFO'
load_from = None
resume = False
