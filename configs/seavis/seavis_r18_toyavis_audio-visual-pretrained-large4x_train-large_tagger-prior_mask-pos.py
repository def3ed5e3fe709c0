# The default config
# (seavis_r18_toyavis_audio-visual-pretrained-large3x_train-large_
# tagger-prior_mask-pos.py) from the visual start trained 1,200 iterations
# longer on the larger set
# (configs/visual_pretrain/mask2former_r18_toyavis-pretrain_large4x.py);
# everything else is the default's.
_base_ = [
    './seavis_r18_toyavis_audio-visual-pretrained-large3x_train-large_'
    'tagger-prior_mask-pos.py'
]
load_from = {{_base_.visual_pretrained_checkpoint_large4x}}
