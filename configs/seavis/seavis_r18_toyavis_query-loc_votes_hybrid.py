# Variant: the query points on centre votes
# (seavis_r18_toyavis_query-loc_one-to-many_votes.py) with the hybrid branch
# (seavis_r18_toyavis_hybrid.py) in place of their one-to-many targets: the
# one-to-one queries keep their points, the 60 one-to-many queries have
# points of their own, and inference has no duplicates, so the tracker is
# the full model's (mask NMS 0.1, candidates down to 0.3) instead of the
# one-to-many points' (mask NMS 0.05, candidates from 0.7).
# Measured at 400 iterations, both seeds (session 21, configs/seavis/
# README.md, "A one-to-many query branch in training"): 7-15 FSLA and
# 11-21 HOTA behind the points with their one-to-many targets on every
# set; the one-to-one points settle on one object and the matching trains
# the others as background, whatever the branch beside them learns.
_base_ = './seavis_r18_toyavis_query-loc.py'
model = dict(
    track_head=dict(
        query_loc_prior=dict(votes=dict()),
        hybrid=dict(num_queries=60, repeat=3)))
