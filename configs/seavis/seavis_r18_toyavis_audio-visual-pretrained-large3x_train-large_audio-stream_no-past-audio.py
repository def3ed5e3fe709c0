# Ablation of the zoo base (session 34's default recipe)
# (seavis_r18_toyavis_audio-visual-pretrained-large3x_train-large.py): no
# audio from before the training clip among CCAF's keys.
_base_ = [
    './seavis_r18_toyavis_audio-visual-pretrained-large3x_train-large.py'
]
model = dict(neck=dict(past_audio_frames=0))
