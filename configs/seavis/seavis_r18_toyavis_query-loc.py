# Variant: every query has a reference point that puts a spatial prior on its
# mask logits and moves to the instance nearest it after each decoder layer
# (SeaVISHead query_loc_prior, seavis_mm/models/heads/query_locations.py).
# The recall funnel found that half of the sounding objects no query
# localises are drawn in one mask with a sounding look-alike of the same
# category; a position embedding in the mask features (mask-pos) did not
# separate them (configs/seavis/README.md, "Why sounding objects are not
# localised").
_base_ = './seavis_r18_toyavis.py'
model = dict(track_head=dict(query_loc_prior=dict()))
