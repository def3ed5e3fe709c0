# The pretraining on the larger set trained on for another 1,200
# iterations (from mask2former_r18_toyavis-pretrain_large2x.py's
# checkpoint, on the same set): 6,000 in all, 3,600 on the larger set.
# Train it after that one (20 min):
#   python tools/train.py \
#       configs/visual_pretrain/mask2former_r18_toyavis-pretrain_large3x.py \
#       --work-dir \
#       work_dirs/visual_pretrain/mask2former_r18_toyavis-pretrain_large3x
_base_ = ['./mask2former_r18_toyavis-pretrain_large.py']
load_from = {{_base_.visual_pretrained_checkpoint_large2x}}
randomness = dict(seed=4)
