# The pretraining on the larger set (mask2former_r18_toyavis-pretrain_
# large.py) trained on for 1,200 more iterations on the same set, 4,800 in
# all, of which 2,400 on the larger set: 1,200 iterations see each of its
# 11,000 frames once. Train it after that one (20 min):
#   python tools/train.py \
#       configs/visual_pretrain/mask2former_r18_toyavis-pretrain_large2x.py \
#       --work-dir \
#       work_dirs/visual_pretrain/mask2former_r18_toyavis-pretrain_large2x
# (the checkpoint's name comes through that file's own visual_pretrained
# base: a second copy of the base here is a duplicate key to mmengine)
_base_ = ['./mask2former_r18_toyavis-pretrain_large.py']
load_from = {{_base_.visual_pretrained_checkpoint_large}}
randomness = dict(seed=3)
