# Variant: the one-to-many query reference points (the "points",
# seavis_r18_toyavis_query-loc_one-to-many.py) with their prior taken on
# where each pixel votes its instance's centre instead of where the pixel is
# (QueryLocationPrior votes, seavis_mm/models/layers/center_votes.py: a
# 3x3 + 1x1 conv head on the mask features, an L1 loss to the instance's
# centroid, as Panoptic-DeepLab's centre offsets). Every pixel of one object
# votes about one point, so the prior is flat over the object whatever its
# size, and drops on a look-alike next to it, whose pixels vote its own
# centre: the merges of look-alikes are the largest cause of the sounding
# objects no query localises (configs/seavis/README.md, "Why sounding
# objects are not localised"). The head's last conv starts at zero: an
# untrained head is the points model.
_base_ = './seavis_r18_toyavis_query-loc_one-to-many.py'
model = dict(track_head=dict(query_loc_prior=dict(votes=dict())))
