# The audio-blind baseline (MinVIS-style, no audio) beside the zoo base
# (session 34's default): the same visual start
# (configs/visual_pretrain/mask2former_r18_toyavis-pretrain_large3x.py) and
# the same training set (the larger ToyAVIS set, 800 videos, its sounding
# ground truth), as FiLM's
# mask2former-film_r18_toyavis_audio-visual-pretrained-large3x_train-large.py.
_base_ = ['./mask2former-minvis_r18_toyavis_visual-pretrained-large2x.py']
load_from = {{_base_.visual_pretrained_checkpoint_large3x}}
train_dataloader = dict(
    dataset=dict(data_root='data/toyavis_pretrain_large/'))
# the zoo base's schedule (the default config's too)
# (seavis_r18_toyavis_audio-visual-pretrained-large3x_train-large.py):
# what the rows share changes for every row alike
max_iters = 400
param_scheduler = dict(end=max_iters, milestones=[int(max_iters * 0.8)])
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
