# Variant: the points on centre votes
# (seavis_r18_toyavis_query-loc_one-to-many_votes.py) trained with
# ClipCopyPaste beside the source (seavis_r18_toyavis_copy-paste-near.py:
# in half the training clips one instance pasted a second time, at one
# offset for the whole clip, at most 1.5 times its size away). Why: on the
# full model at 1,600 iterations the copies cut the merges with a sounding
# look-alike by 40% (session 25), and the votes' prior is meant to drop
# between two look-alikes side by side, which the copies make common.
_base_ = './seavis_r18_toyavis_query-loc_one-to-many_votes.py'
train_pipeline = _base_.train_pipeline
# after the TransformBroadcaster (the per-frame images, masks and ids),
# before the audio and the packing, as in the copy-paste-near config
assert train_pipeline[1]['type'] == 'TransformBroadcaster'
train_pipeline.insert(2, dict(type='ClipCopyPaste', prob=0.5, max_shift=1.5))
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
