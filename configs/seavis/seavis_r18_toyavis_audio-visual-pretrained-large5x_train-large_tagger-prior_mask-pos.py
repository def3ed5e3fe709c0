# The default config (session 36; Makefile's CONFIG, the model index's
# alias seavis_toyavis): session 35's default
# (seavis_r18_toyavis_audio-visual-pretrained-large3x_train-large_
# tagger-prior_mask-pos.py: the zoo base with the sound-class prior started
# from the pretrained tagger's head and position in the mask features)
# from the visual start trained 2,400 iterations longer on the larger set
# (configs/visual_pretrain/mask2former_r18_toyavis-pretrain_large5x.py, the
# last stage of `make pretrain`); everything else is session 35's default.
# Its baselines start from the same checkpoint:
# mask2former-film_r18_toyavis_audio-visual-pretrained-large5x_train-large.py
# and mask2former-minvis_r18_toyavis_visual-pretrained-large5x_train-large.py.
# Measured (configs/seavis/README.md, session 36; 400 iterations, seeds 0-3,
# ToyAVIS val and val2): mean FSLA / HOTA 69.8 / 71.5 against session 35's
# default's 68.1 / 70.2 (ahead on 7 of 8 sets in each); val FSLA 73.4 /
# 73.1 / 74.2 / 73.6.
_base_ = [
    './seavis_r18_toyavis_audio-visual-pretrained-large3x_train-large_'
    'tagger-prior_mask-pos.py'
]
load_from = {{_base_.visual_pretrained_checkpoint_large5x}}
