# The pretraining on the larger set trained on for another 1,200
# iterations (from mask2former_r18_toyavis-pretrain_large4x.py's
# checkpoint, on the same set): 8,400 in all, 6,000 on the larger set. The
# logged training loss at iteration 1,000 fell again (7.2 for large4x, 6.8
# for this one). The last stage of `make pretrain`'s chain: the default
# config (configs/seavis/seavis_r18_toyavis_audio-visual-pretrained-large5x_
# train-large_tagger-prior_mask-pos.py) and its two baselines start from
# it. Train it after large4x (18 min on a quiet 2-core machine):
#   python tools/train.py \
#       configs/visual_pretrain/mask2former_r18_toyavis-pretrain_large5x.py \
#       --work-dir \
#       work_dirs/visual_pretrain/mask2former_r18_toyavis-pretrain_large5x
_base_ = ['./mask2former_r18_toyavis-pretrain_large.py']
load_from = {{_base_.visual_pretrained_checkpoint_large4x}}
randomness = dict(seed=6)
