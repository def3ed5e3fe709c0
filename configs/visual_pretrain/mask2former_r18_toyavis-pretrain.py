# Visual pretraining of the toy models (the paper fine-tunes a Mask2Former
# trained on COCO): the audio-blind Mask2Former of the zoo
# (configs/seavis/mask2former-minvis_r18_toyavis.py), trained on every
# visible object of a separate ToyAVIS set, as COCO labels every object of
# images that are not AVISeg's. No sounding label is read. Write the set
# and train (1,200 iterations, about 1 s each on 2 CPU cores: 20 min):
#   python tools/dataset_converters/make_toyavis.py data/toyavis_pretrain \
#       --train-videos 80 --val-videos 0 --seed 3000 --write-visible
#   python tools/train.py \
#       configs/visual_pretrain/mask2former_r18_toyavis-pretrain.py \
#       --work-dir work_dirs/visual_pretrain/mask2former_r18_toyavis-pretrain
# The *_visual-pretrained configs start from its checkpoint through
# load_from (configs/_base_/visual_pretrained_toyavis.py), as mmdet's
# Mask2Former VIS configs start from the COCO checkpoint.
_base_ = ['../seavis/mask2former-minvis_r18_toyavis.py']
max_iters = 1200
data_root = 'data/toyavis_pretrain/'
train_dataloader = dict(
    num_workers=2,
    dataset=dict(data_root=data_root, ann_file='train_visible.json'))
val_dataloader = None
val_cfg = None
val_evaluator = None
test_dataloader = None
test_cfg = None
test_evaluator = None
param_scheduler = dict(end=max_iters, milestones=[int(max_iters * 0.8)])
train_cfg = dict(max_iters=max_iters, val_interval=max_iters + 1)
default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(interval=400, max_keep_ckpts=1))
