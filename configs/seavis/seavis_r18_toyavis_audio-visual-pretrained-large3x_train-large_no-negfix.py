# Ablation of the zoo base (session 34's default recipe)
# (seavis_r18_toyavis_audio-visual-pretrained-large3x_train-large.py): AGCL's
# instance-level negatives include co-sounding instances again.
_base_ = [
    './seavis_r18_toyavis_audio-visual-pretrained-large3x_train-large.py'
]
model = dict(
    track_head=dict(loss_agcl_instance=dict(exclude_cosounding=False)))
