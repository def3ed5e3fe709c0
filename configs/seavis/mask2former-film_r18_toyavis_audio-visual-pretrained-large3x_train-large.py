# Baseline for seavis_r18_toyavis_audio-visual-pretrained-large3x_train-
# large.py: FiLM from the same starts (the tagger's audio encoder, the
# visual start trained longest on the larger set), fine-tuned on the same
# larger set (data/toyavis_pretrain_large, 800 videos). Measured (session
# 33, 400 iterations): mean FSLA / HOTA 55.5 / 60.0.
# (the checkpoint's name comes through the base's own visual_pretrained
# base: a second copy of the base here is a duplicate key to mmengine)
_base_ = [
    './mask2former-film_r18_toyavis_audio-visual-pretrained-large2x_'
    'train-large.py'
]
load_from = {{_base_.visual_pretrained_checkpoint_large3x}}
# the zoo base's schedule (the default config's too)
# (seavis_r18_toyavis_audio-visual-pretrained-large3x_train-large.py):
# what the rows share changes for every row alike
max_iters = 400
param_scheduler = dict(end=max_iters, milestones=[int(max_iters * 0.8)])
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
