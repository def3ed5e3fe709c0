# The pretraining on the larger set trained on for another 1,200
# iterations (from mask2former_r18_toyavis-pretrain_large3x.py's
# checkpoint, on the same set): 7,200 in all, 4,800 on the larger set.
# Each stage lowered the logged training loss at iteration 1,000 (8.7,
# 8.2, 7.8 for large, large2x, large3x; 7.2 for this one). In `make
# pretrain`'s default chain since session 36, as the step to large5x, the
# default config's start; the ..._large4x_train-large*.py rows of
# configs/seavis start from it. Train it after
# large3x (about 20 min, as large3x took):
#   python tools/train.py \
#       configs/visual_pretrain/mask2former_r18_toyavis-pretrain_large4x.py \
#       --work-dir \
#       work_dirs/visual_pretrain/mask2former_r18_toyavis-pretrain_large4x
_base_ = ['./mask2former_r18_toyavis-pretrain_large.py']
load_from = {{_base_.visual_pretrained_checkpoint_large3x}}
randomness = dict(seed=5)
