# The visual pretraining on a more varied set: the same 80 training videos'
# seed (3000) written with the wide variety of the second val set (v2,
# variety high: backgrounds, clutter, sizes, colours and lighting), as
# COCO is far more varied than the AVISeg frames the paper fine-tunes on.
# The fine-tuning set and both val sets stay as they are (val2 is seed
# 1000, never trained on). Write the set and train (20 min):
#   python tools/dataset_converters/make_toyavis.py \
#       data/toyavis_pretrain_varied --train-videos 80 --val-videos 0 \
#       --seed 3000 --style v2 --variety high --write-visible
#   python tools/train.py \
#       configs/visual_pretrain/mask2former_r18_toyavis-pretrain_varied.py \
#       --work-dir \
#       work_dirs/visual_pretrain/mask2former_r18_toyavis-pretrain_varied
_base_ = ['./mask2former_r18_toyavis-pretrain.py']
train_dataloader = dict(
    dataset=dict(data_root='data/toyavis_pretrain_varied/'))
