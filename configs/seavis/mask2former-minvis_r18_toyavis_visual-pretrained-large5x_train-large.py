# The audio-blind baseline (MinVIS-style, no audio) beside the default
# config (seavis_r18_toyavis_audio-visual-pretrained-large5x_train-large_
# tagger-prior_mask-pos.py): the same visual start
# (configs/visual_pretrain/mask2former_r18_toyavis-pretrain_large5x.py),
# training set and schedule, as FiLM's
# mask2former-film_r18_toyavis_audio-visual-pretrained-large5x_train-large.py.
_base_ = [
    './mask2former-minvis_r18_toyavis_visual-pretrained-large3x_train-large.py'
]
load_from = {{_base_.visual_pretrained_checkpoint_large5x}}
