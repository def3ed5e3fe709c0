# Variant: the full model with 6 transformer decoder layers instead of 3
# (two rounds over the pixel decoder's three scales; Mask2Former's own
# configs run 9). Each layer's masked attention looks only where the
# previous layer's mask is: a first mask that covers an object and its
# look-alike keeps both in view, and three layers leave one round to split
# them (the recall funnel's merged_sounding misses, configs/seavis/
# README.md, "Why sounding objects are not localised"). Deep supervision
# adds each layer's losses as for the first three.
# Session 24, both seeds at 400 iterations (configs/seavis/README.md,
# "Mask-quality class targets, and a deeper decoder"): localises a little
# more (70.8% of the sounding object-frames against 69.7 / 66.8%) but mean
# FSLA / HOTA 52.6 / 48.7 against 53.3 / 51.4. An option, not the default.
_base_ = './seavis_r18_toyavis.py'
model = dict(track_head=dict(transformer_decoder=dict(num_layers=6)))
