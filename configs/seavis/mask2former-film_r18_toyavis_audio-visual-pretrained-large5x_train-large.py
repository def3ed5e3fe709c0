# The FiLM baseline of
# seavis_r18_toyavis_audio-visual-pretrained-large5x_train-large_
# tagger-prior_mask-pos.py: the same start, set and schedule.
_base_ = [
    './mask2former-film_r18_toyavis_audio-visual-pretrained-large3x_'
    'train-large.py'
]
load_from = {{_base_.visual_pretrained_checkpoint_large5x}}
