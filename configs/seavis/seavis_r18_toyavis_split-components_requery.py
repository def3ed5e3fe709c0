# Variant, evaluation only (it runs the full model's checkpoint): the split
# of seavis_r18_toyavis_split-components.py, and every part of a split mask
# run again through the last decoder layer attending only to its own pixels
# (SeaVISHead.requery), so that each part gets its own class score,
# embeddings and sounding probability instead of its query's: a part that
# is a blob of background can score as "no object", and two look-alikes
# one query drew as one mask get embeddings of their own.
_base_ = './seavis_r18_toyavis_split-components.py'
model = dict(
    track_head=dict(split_components=dict(min_area_frac=0.2, requery=True)))
