# SeaVIS R50 on AVISeg with the released per-frame VGGish features
# ({split}/FEATAudios/<video>.npy, [T, 128]) instead of our log-mel front end
# and audio encoder: how to reproduce AVISeg numbers without the TensorFlow
# VGGish weights. Paper scale; not reproduced here.
_base_ = './seavis_r50_8xb2-20k_aviseg.py'
audio_source = 'feat'
model = dict(
    audio_encoder=dict(
        _delete_=True,
        type='VGGishFeatureProjector',
        in_channels=128,
        out_channels=128))
train_dataloader = dict(dataset=dict(audio_source=audio_source))
val_dataloader = dict(dataset=dict(audio_source=audio_source))
test_dataloader = dict(dataset=dict(audio_source=audio_source))
