# Variant (evaluation only, on the checkpoints of seavis_r18_toyavis_audio-
# visual-pretrained-large2x_sound-class-prior.py): the sound gate passes a
# query whose sounding probability is over 0.02 instead of 0.5. From the
# larger visual start the gate separates sounding from silent candidates
# (AUC 1.00 on val, recall_analysis.py) but 0.5 turns away 7% of the
# sounding ones. 0.02 is the calibration split's choice, not val's
# (tools/analysis_tools/sweep_tracker.py --data-root data/toyavis_calib
# --grid sound_prob_thr=0.002,...,0.5 on both seeds' checkpoints: the best
# mean FSLA, 78.8 against 77.6 at 0.5, the larger threshold of the tie
# with 0.01) (configs/seavis/README.md, "A ten times larger pretraining
# set").
_base_ = [
    './seavis_r18_toyavis_audio-visual-pretrained-large2x_sound-class-prior.py'
]
model = dict(tracker=dict(sound_prob_thr=0.02))
