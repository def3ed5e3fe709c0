# Variant: masks predicted at stride 2 instead of Mask2Former's stride 4, from
# the mask features plus a light conv stem on the image (SeaVISHead
# fine_mask, seavis_mm/models/layers/fine_mask_features.py). On 128 x 128
# frames the stride-4 map is 32 x 32, and adjacent look-alikes merge in one
# query's mask (configs/seavis/README.md, "Where the sounding objects are
# lost").
# Measured at 400 iterations, both seeds (configs/seavis/README.md, "Masks
# at stride 2"): it does not localise more (67.9 / 70.8% of the sounding
# object-frames, the full model 69.7 / 66.8%), falls behind the full model
# in FSLA / HOTA on 3 of 4 val sets and costs 13-15% of the frames/s. At
# 1,600 iterations (seed 0) it leads on val (62.2 / 66.0 against 60.5 /
# 63.5) and trails on val2 (53.5 / 46.8 against 53.6 / 48.5): an option,
# off by default.
_base_ = './seavis_r18_toyavis.py'
model = dict(track_head=dict(fine_mask=dict()))
