# Variant: the query location prior with one-to-many targets from the masks
# the queries draw (SeaVISHead one_to_many,
# seavis_mm/models/layers/drawn_assignment.py). At 1,600 iterations the
# prior localised 85% of the sounding object-frames (the full model 75%),
# but the score threshold, the gate and association lost it: neighbouring
# queries settle on one object, the Hungarian matching makes one of them
# the instance and trains the others as background, as negatives of its
# identity and as silent (configs/seavis/README.md, "Query reference points
# at 1,600 iterations"). Here every query that draws an instance (mask IoU
# >= 0.5) takes its class, its identity and its sounding target, and the
# tracker's mask NMS keeps one query per object.
# Measured at 400 iterations, both seeds (configs/seavis/README.md, "One-to-
# many targets"): the class-score drop goes (candidate 73.7% of 75.7%
# localised), but FSLA / HOTA fall 2.5 / 2.6 and 5.7 / 2.0: a variant.
# Session 12: one object is drawn by different queries from frame to frame,
# so the tracker also weighs where the object is (mask_iou_weight: AssA
# +5.0 / +9.7 on val at 400, seeds 0 / 1), and its thresholds come from the
# calibration split (sweep_tracker.py on data/toyavis_calib, at 400 and
# 1,600 iterations): duplicates score as instances here, so any overlap
# suppresses (mask NMS 0.05) and a candidate needs 0.7. At 1,600 iterations
# (seed 0) it then beats the full model with its own calibrated tracker on
# val and val2 (FSLA / HOTA 62.2 / 66.8 against 61.2 / 64.0, and 56.4 /
# 57.9 against 55.6 / 50.2; seed 1, session 13: 64.5 / 66.1 against
# 62.2 / 65.0, and 57.6 / 58.6 against 54.3 / 50.3), at 400 it does not
# (51.7 / 50.6 against 55.1 / 51.8): configs/seavis/README.md, "One-to-many
# at 1,600".
# Session 17, on the zoo's 5 x 2 recipe (configs/seavis/README.md, "Query
# reference points on the 5 x 2 recipe"): at 400 iterations it localises 82%
# of the sounding object-frames (the full model 67-70%) but is mixed on
# FSLA / HOTA (seed 0 val2 behind on both); at 1,600 it wins val and val2 on
# both seeds (val 62.7 / 65.8 and 61.1 / 66.5 against 60.5 / 63.5 and
# 60.5 / 63.9). The tracker above is still the calibration split's pick.
# Session 18: one-to-many (and drawn sounding) targets from IoU 0.7 instead
# of 0.5 localise less (78.9% against 82.4%) and lose FSLA / HOTA on 3 of 4
# val sets at 400 iterations (configs/seavis/README.md, "Masks at stride
# 2, and tighter one-to-many targets"): 0.5 stays.
_base_ = './seavis_r18_toyavis_query-loc_sound-drawn.py'
model = dict(
    track_head=dict(one_to_many=dict(iou_thr=0.5)),
    tracker=dict(
        mask_nms_thr=0.05,
        score_thr=0.7,
        init_score_thr=0.7,
        mask_iou_weight=0.5))
