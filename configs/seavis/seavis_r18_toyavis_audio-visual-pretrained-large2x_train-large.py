# Variant: seavis_r18_toyavis_audio-visual-pretrained-large2x_sound-class-
# prior.py fine-tuned on the visual pretraining's larger set (800 videos,
# data/toyavis_pretrain_large: the same generator and look as ToyAVIS train,
# seed 4,000; never val, val2 or the calibration split) instead of ToyAVIS
# train's 80 videos. Its sounding ground truth (train.json) trains SeaVIS as
# ToyAVIS train's does. Why: the 80 videos were what the visual pretraining
# overfitted (session 32), and the fine-tuning loses what the start
# separated: the start localises 91% of val's sounding objects, the model
# fine-tuned on 80 videos 87%, and the score threshold then drops a fifth of
# the look-alike pairs (recall_analysis.py by_sources / by_category,
# configs/seavis/README.md, session 33).
# The sound gate stays at 0.5: the calibration split's choice for these
# checkpoints (sweep_tracker.py --grid sound_prob_thr=0.002,...,0.5, both
# seeds: the best mean FSLA, 77.3 against 76.4 at 0.02); the 80-video
# fine-tuning's 0.02 is seavis_r18_toyavis_audio-visual-pretrained-large2x_
# train-large_sound-thr-0.02.py (evaluation only).
# Measured (session 33, 400 iterations, both seeds, val and val2): mean
# FSLA / HOTA 65.0 / 67.7 at 0.5 and 66.5 / 69.0 at 0.02, against 63.2 /
# 66.5 for the same start fine-tuned on the 80 videos (gate 0.02).
_base_ = [
    './seavis_r18_toyavis_audio-visual-pretrained-large2x_sound-class-prior.py'
]
train_dataloader = dict(
    dataset=dict(data_root='data/toyavis_pretrain_large/'))
