# AVISeg (AVISM, CVPR 2025) as released: point data_root at it unchanged.
#   data/aviseg/{train,val,test}.json
#   data/aviseg/{split}/JPEGImages/<video>/<frame>.jpg
#   data/aviseg/{split}/WAVAudios/<video>.wav
#   data/aviseg/{split}/FEATAudios/<video>.npy   (optional, audio_source='feat')
dataset_type = 'AVISegDataset'
data_root = 'data/aviseg/'
fps = 1
audio_source = 'wav'
num_frames = 5
backend_args = None

train_pipeline = [
    dict(type='AVISClipSample', num_frames=num_frames, interval=1),
    dict(
        type='TransformBroadcaster',
        share_random_params=True,
        transforms=[
            dict(type='LoadImageFromFile', backend_args=backend_args),
            dict(type='LoadTrackAnnotations', with_mask=True),
            dict(
                type='RandomChoiceResize',
                scales=[(1333, 288), (1333, 320), (1333, 352), (1333, 384),
                        (1333, 416), (1333, 448), (1333, 480), (1333, 512)],
                keep_ratio=True),
            dict(type='RandomFlip', prob=0.5),
        ]),
    dict(type='LoadAudioWindows'),
    dict(type='PackAVISInputs')
]
test_pipeline = [
    dict(
        type='TransformBroadcaster',
        transforms=[
            dict(type='LoadImageFromFile', backend_args=backend_args),
            dict(type='Resize', scale=(1333, 360), keep_ratio=True),
            dict(type='LoadTrackAnnotations', with_mask=True),
        ]),
    dict(type='LoadAudioWindows'),
    dict(type='PackAVISInputs')
]

train_dataloader = dict(
    batch_size=2,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=dict(type='TrackAspectRatioBatchSampler'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='train.json',
        data_prefix=dict(
            img_path='train/JPEGImages/',
            audio_path='train/WAVAudios/',
            feat_path='train/FEATAudios/'),
        fps=fps,
        audio_source=audio_source,
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='val.json',
        data_prefix=dict(
            img_path='val/JPEGImages/',
            audio_path='val/WAVAudios/',
            feat_path='val/FEATAudios/'),
        fps=fps,
        audio_source=audio_source,
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='test.json',
        data_prefix=dict(
            img_path='test/JPEGImages/',
            audio_path='test/WAVAudios/',
            feat_path='test/FEATAudios/'),
        fps=fps,
        audio_source=audio_source,
        test_mode=True,
        pipeline=test_pipeline))

# aviseval: identical to AVISeg's official evaluator, quirks included, so the
# numbers compare with published tables (docs/en/metrics.md)
val_evaluator = dict(
    type='AVISMetric', metric=('FSLA', 'HOTA', 'mAP'), protocol='aviseval')
test_evaluator = val_evaluator
