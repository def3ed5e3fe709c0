# Ablation of the zoo base (session 34's default recipe)
# (seavis_r18_toyavis_audio-visual-pretrained-large3x_train-large.py): one
# pooled audio token per frame instead of the 2 x 4 time-frequency cells.
_base_ = [
    './seavis_r18_toyavis_audio-visual-pretrained-large3x_train-large.py'
]
model = dict(
    audio_encoder=dict(tokens='pooled', cell_grid=None),
    neck=dict(audio_channels=128, tokens_per_frame=1))
