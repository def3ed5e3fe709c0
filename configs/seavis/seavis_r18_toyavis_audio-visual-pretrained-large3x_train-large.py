# The zoo base: the default recipe of session 34 (then the best row of the
# zoo, mean FSLA / HOTA over both seeds and both val sets,
# configs/seavis/README.md), and the base of the zoo of record's ablation
# rows (seavis_r18_toyavis_audio-visual-pretrained-large3x_train-large_*.py).
# Since session 35 the default config is its _tagger-prior_mask-pos.py
# variant.
# Its pretrained starts come from `make pretrain` (tools/run_pretrain.sh).
# seavis_r18_toyavis_audio-visual-pretrained-large2x_train-large.py
# from the visual start trained longest on the larger set
# (configs/visual_pretrain/mask2former_r18_toyavis-pretrain_large3x.py),
# whose own output holds 86% of val's sounding objects (large2x: 83%):
# fine-tuned on the larger set, the model keeps more of its start.
# The sound gate at 0.1: the calibration split's choice for these
# checkpoints (sweep_tracker.py --grid sound_prob_thr=0.002,...,0.5, both
# seeds: 0.005-0.1 tie on the best mean FSLA, 79.7 against 79.1 at 0.5; the
# larger threshold of a tie, as every calibration here).
# Measured (session 33): the best row with its own calibrated gate, mean
# FSLA / HOTA 66.4 / 69.3 at 400 iterations (val 69.0 / 67.9 FSLA, seeds 0
# / 1); at 600 iterations val FSLA 70.0 / 70.1.
# (the checkpoint's name comes through the base's own visual_pretrained
# base: a second copy of the base here is a duplicate key to mmengine)
_base_ = [
    './seavis_r18_toyavis_audio-visual-pretrained-large2x_train-large.py'
]
load_from = {{_base_.visual_pretrained_checkpoint_large3x}}
model = dict(tracker=dict(sound_prob_thr=0.1))
# 400 iterations (step at 320), the zoo's budget: from this start, 600 lost
# to it on the mean of both seeds and both val sets (FSLA / HOTA 66.1 / 68.4
# against 66.4 / 69.3; docs/results/s33/iters600), though it led val.
max_iters = 400
param_scheduler = dict(end=max_iters, milestones=[int(max_iters * 0.8)])
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
