# Ablation of the zoo base (session 34's default recipe)
# (seavis_r18_toyavis_audio-visual-pretrained-large3x_train-large.py): the
# sounding loss skips frames with no sounding object.
_base_ = [
    './seavis_r18_toyavis_audio-visual-pretrained-large3x_train-large.py'
]
model = dict(track_head=dict(loss_sound=dict(silent_frames=False)))
