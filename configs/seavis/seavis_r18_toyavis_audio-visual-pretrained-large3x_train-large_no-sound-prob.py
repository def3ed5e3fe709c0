# Ablation of the zoo base (session 34's default recipe)
# (seavis_r18_toyavis_audio-visual-pretrained-large3x_train-large.py): no
# per-query sounding probability. Its sound-class prior adds to that
# probability's logit (SeaVISHead refuses one without the other), so it goes
# too; the tracker gates on the cosine with the audio anchor at sound_thr,
# as seavis_r18_toyavis_no-sound-prob.py does on the from-scratch base.
_base_ = [
    './seavis_r18_toyavis_audio-visual-pretrained-large3x_train-large.py'
]
model = dict(track_head=dict(loss_sound=None, sound_class_prior=None))
