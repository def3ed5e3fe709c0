# Variant: ClipCopyPaste with the copy put beside its source, at most 1.5
# times the source's size away along each axis (max_shift), instead of
# anywhere in the frame. Why: the look-alikes that are drawn as one mask are
# the ones next to each other (configs/seavis/README.md, "Why sounding
# objects are not localised"), and a copy anywhere in a 128 x 128 frame is
# mostly far from its source, where queries already tell two objects apart.
# Measured in configs/seavis/README.md.
_base_ = './seavis_r18_toyavis_copy-paste.py'
train_pipeline = _base_.train_pipeline
assert train_pipeline[2]['type'] == 'ClipCopyPaste'
train_pipeline[2]['max_shift'] = 1.5
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
