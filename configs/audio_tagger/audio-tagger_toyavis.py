# Pretraining of the toy SeaVIS audio encoder (the paper starts from VGGish
# trained on AudioSet): the same encoder as configs/seavis/
# seavis_r18_toyavis.py, alone, tagging the categories that sound in each
# ToyAVIS train frame (seavis_mm/models/pretrain/audio_tagger.py). 600
# iterations of 64 frames (8 clips of 8), about 4 minutes on 2 CPU cores.
# The *_audio-pretrained segmentation configs start their audio encoder from
# its checkpoint (configs/_base_/audio_pretrained_toyavis.py;
# configs/seavis/README.md, "Every visible object in training; the audio
# encoder pretrained").
_base_ = ['../seavis/seavis_r18_toyavis.py']
max_iters = 600
model = dict(
    _delete_=True,
    type='AudioTagger',
    audio_encoder={{_base_.model.audio_encoder}},
    num_classes={{_base_.num_classes}})
# 8 consecutive frames of a video per sample (8 to 20 in a ToyAVIS video),
# only their audio and labels: one wav read per 8 frames, as loading, not
# the encoder, is what a step costs
train_pipeline = [
    dict(type='AVISClipSample', num_frames=8, interval=1),
    dict(
        type='TransformBroadcaster',
        transforms=[
            dict(type='LoadTrackAnnotations', with_bbox=True,
                 with_mask=False)
        ]),
    dict(type='LoadAudioWindows'),
    dict(type='PackAVISInputs')
]
train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    batch_sampler=None,
    dataset=dict(pipeline=train_pipeline))
val_dataloader = None
val_cfg = None
val_evaluator = None
test_dataloader = None
test_cfg = None
test_evaluator = None
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.05))
param_scheduler = dict(end=max_iters, milestones=[int(max_iters * 0.8)])
train_cfg = dict(max_iters=max_iters, val_interval=max_iters + 1)
default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(interval=max_iters, max_keep_ckpts=1))
