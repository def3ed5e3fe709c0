# The visual pretraining trained on: 1,200 more iterations from the
# checkpoint of mask2former_r18_toyavis-pretrain.py (the learning rate
# starts again at 3e-4 and steps down at 960, as there), 2,400 in all. Its
# loss was still falling before the step (9.2 at 700-850 iterations, 8.4 at
# 950), and COCO's Mask2Former, the start it stands for, trains for 50
# epochs. Train the 1,200-iteration pretraining first, then (20 min):
#   python tools/train.py \
#       configs/visual_pretrain/mask2former_r18_toyavis-pretrain_2x.py \
#       --work-dir work_dirs/visual_pretrain/mask2former_r18_toyavis-pretrain_2x
_base_ = [
    './mask2former_r18_toyavis-pretrain.py',
    '../_base_/visual_pretrained_toyavis.py'
]
load_from = {{_base_.visual_pretrained_checkpoint}}
# another seed: the clips drawn in the second 1,200 iterations are not the
# first 1,200 again
randomness = dict(seed=1)
