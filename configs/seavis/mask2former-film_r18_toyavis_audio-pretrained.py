# The FiLM baseline with the same pretrained audio encoder as
# seavis_r18_toyavis_audio-pretrained.py: what is shared changes for every
# row alike (configs/seavis/README.md, "Every visible object in training;
# the audio encoder pretrained").
_base_ = [
    './mask2former-film_r18_toyavis.py',
    '../_base_/audio_pretrained_toyavis.py'
]
model = dict(audio_encoder=dict(init_cfg={{_base_.audio_encoder_init}}))
