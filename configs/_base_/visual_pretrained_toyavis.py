# The toy models' visual start: the audio-blind Mask2Former pretrained on
# every visible object of a separate ToyAVIS set (configs/visual_pretrain/
# mask2former_r18_toyavis-pretrain.py, trained first), the place of the COCO
# Mask2Former that the paper fine-tunes. The *_visual-pretrained configs set
# load_from to it (a name of its own here: default_runtime.py sets
# load_from, and mmengine refuses a key that two bases set). The path is
# relative to where training runs, as work_dir is. Only the weights load:
# the optimiser, the schedule and the iteration start afresh; parts the
# checkpoint lacks (audio, CCAF, the sounding and identity heads) keep
# their own initialisation.
visual_pretrained_checkpoint = (
    'work_dirs/visual_pretrain/mask2former_r18_toyavis-pretrain/'
    'iter_1200.pth')
# The same pretraining trained on for 1,200 more iterations
# (configs/visual_pretrain/mask2former_r18_toyavis-pretrain_2x.py).
visual_pretrained_checkpoint_2x = (
    'work_dirs/visual_pretrain/mask2former_r18_toyavis-pretrain_2x/'
    'iter_1200.pth')
# The pretraining on a more varied set
# (configs/visual_pretrain/mask2former_r18_toyavis-pretrain_varied.py).
visual_pretrained_checkpoint_varied = (
    'work_dirs/visual_pretrain/mask2former_r18_toyavis-pretrain_varied/'
    'iter_1200.pth')
# The 2x pretraining trained on for 1,200 more iterations on a ten times
# larger set (configs/visual_pretrain/
# mask2former_r18_toyavis-pretrain_large.py).
visual_pretrained_checkpoint_large = (
    'work_dirs/visual_pretrain/mask2former_r18_toyavis-pretrain_large/'
    'iter_1200.pth')
# ... and 1,200 more on the larger set
# (configs/visual_pretrain/mask2former_r18_toyavis-pretrain_large2x.py).
visual_pretrained_checkpoint_large2x = (
    'work_dirs/visual_pretrain/mask2former_r18_toyavis-pretrain_large2x/'
    'iter_1200.pth')
# ... and another 1,200 on it
# (configs/visual_pretrain/mask2former_r18_toyavis-pretrain_large3x.py).
visual_pretrained_checkpoint_large3x = (
    'work_dirs/visual_pretrain/mask2former_r18_toyavis-pretrain_large3x/'
    'iter_1200.pth')
# ... and another 1,200 on it
# (configs/visual_pretrain/mask2former_r18_toyavis-pretrain_large4x.py).
visual_pretrained_checkpoint_large4x = (
    'work_dirs/visual_pretrain/mask2former_r18_toyavis-pretrain_large4x/'
    'iter_1200.pth')
# ... and another 1,200 on it
# (configs/visual_pretrain/mask2former_r18_toyavis-pretrain_large5x.py).
visual_pretrained_checkpoint_large5x = (
    'work_dirs/visual_pretrain/mask2former_r18_toyavis-pretrain_large5x/'
    'iter_1200.pth')
