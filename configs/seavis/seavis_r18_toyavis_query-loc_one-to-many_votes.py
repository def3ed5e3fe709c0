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
# Session 19, this host, both seeds (configs/seavis/README.md, "Query points
# on centre votes"): at 400 iterations the votes are not trained yet and
# FSLA / HOTA are mixed (mean of both seeds and both val sets 54.1 / 52.0;
# the full model 53.3 / 51.4, the points 53.5 / 53.0); at 1,600 it beats
# the full model on all four sets in both and the points on 3 of 4 in each
# (mean 61.4 / 63.3 against 57.9 / 57.4 and 60.1 / 61.6). Not run at the
# toy config's 3,200 iterations yet, so not the default.
_base_ = './seavis_r18_toyavis_query-loc_one-to-many.py'
model = dict(track_head=dict(query_loc_prior=dict(votes=dict())))
