# Variant: the query location prior (seavis_r18_toyavis_query-loc.py) with
# the sounding probability trained on what each query draws: every query
# whose mask covers a sounding object is a positive, not only the one the
# Hungarian matching picks (SoundingBCELoss targets='drawn'). With the prior,
# neighbouring queries draw the same object, and 'matched' pulled their
# probability towards 1 / k (configs/seavis/README.md).
_base_ = './seavis_r18_toyavis_query-loc.py'
model = dict(track_head=dict(loss_sound=dict(targets='drawn')))
