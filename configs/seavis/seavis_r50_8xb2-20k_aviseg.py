# SeaVIS R50 on AVISeg, 8 GPUs x 2 clips of 5 frames, 20k iterations.
# Paper scale; not reproduced here (no GPU, no AVISeg download): expected
# numbers in configs/seavis/README.md are marked as such.
_base_ = [
    '../_base_/models/seavis_r50.py', '../_base_/datasets/aviseg.py',
    '../_base_/schedules/schedule_20k.py', '../_base_/default_runtime.py'
]
default_hooks = dict(checkpoint=dict(interval=2000))
