# Variant: the mask features carry a learned position embedding
# (SeaVISHead mask_pos_embed). The recall funnel of the 1,600-iteration model
# found that half of the sounding objects no query localises are drawn
# together with another sounding object of the same category in one mask:
# look-alike instances have the same mask features, and position is what
# tells them apart (configs/seavis/README.md, "Why sounding objects are not
# localised").
_base_ = './seavis_r18_toyavis.py'
model = dict(track_head=dict(mask_pos_embed=True))
