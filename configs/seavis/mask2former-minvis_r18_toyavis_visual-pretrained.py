# The audio-blind baseline from the visual pretraining it provides
# (configs/visual_pretrain/mask2former_r18_toyavis-pretrain.py), fine-tuned
# on the sounding objects like every *_visual-pretrained row.
_base_ = [
    './mask2former-minvis_r18_toyavis.py',
    '../_base_/visual_pretrained_toyavis.py'
]
load_from = {{_base_.visual_pretrained_checkpoint}}
