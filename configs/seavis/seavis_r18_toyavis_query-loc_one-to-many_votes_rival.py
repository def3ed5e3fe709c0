# Variant: the points on centre votes
# (seavis_r18_toyavis_query-loc_one-to-many_votes.py) with a mask loss on
# each query's rivals, the other instances of its instance's category in
# the frame (SeaVISHead loss_rival, seavis_mm/models/losses/
# rival_mask_loss.py). At 1,600 iterations most of the sounding objects the
# tracker drops lose its mask NMS to a look-alike's mask that spills over
# them (17 of 26 merged losses, configs/seavis/README.md, "Query points on
# centre votes"); Mask2Former's point-sampled mask loss weighs that rim as
# any background point. Here a query pays BCE towards background averaged
# over its rivals' pixels alone, on every decoder layer.
# Session 20, this host, both seeds (configs/seavis/README.md, "A mask loss
# on each query's look-alikes"): at 1,600 iterations the merged masks among
# the NMS losses fall from 26 to 15 (seed 0), but FSLA ties (mean of both
# seeds and both val sets 61.4, the points on votes 61.4) and HOTA drops on
# every set (61.1 against 63.3; AssA -3.7 to -4.8 on val); at 400 it loses
# on every set (45.8 / 41.2 at this weight, 51.6 / 49.4 at 0.5, against
# 54.1 / 52.0). Measured, not adopted: an option, off by default.
_base_ = './seavis_r18_toyavis_query-loc_one-to-many_votes.py'
model = dict(
    track_head=dict(
        loss_rival=dict(
            type='RivalMaskLoss', same_class=True, loss_weight=2.0)))
