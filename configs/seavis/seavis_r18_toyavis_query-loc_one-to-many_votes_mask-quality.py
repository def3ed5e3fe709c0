# Variant: the points on centre votes
# (seavis_r18_toyavis_query-loc_one-to-many_votes.py) with mask-quality class
# targets (seavis_r18_toyavis_mask-quality.py): the matched query and every
# query that draws an instance (one-to-many) take the instance's class with
# the IoU of their mask as the target. The points localise more sounding
# objects than the full model, but their tracker's mask NMS drops a quarter
# of them, two thirds to a kept mask drawn over the object and its
# look-alike (configs/seavis/README.md, "what the mask NMS drops"): the
# merged mask must score below the clean one.
# Session 24, both seeds at 400 iterations (configs/seavis/README.md,
# "Mask-quality class targets, and a deeper decoder"): the NMS drops as many
# sounding objects to merged masks as without it (a merge needs two masks,
# not another ranking); mean FSLA / HOTA 52.0 / 51.3 against the points'
# 54.1 / 52.0, ahead on the calibration split, behind on val2. At 1,600
# (seed 0) val 61.5 / 65.9 against 62.3 / 67.0, val2 59.4 / 59.8 against
# 59.3 / 59.4; the NMS still drops 10 points of the sounding objects, most
# to merged masks. An option.
_base_ = './seavis_r18_toyavis_query-loc_one-to-many_votes.py'
model = dict(
    track_head=dict(
        loss_cls_quality=dict(
            type='QualityCrossEntropyLoss', power=1.0, loss_weight=2.0)))
