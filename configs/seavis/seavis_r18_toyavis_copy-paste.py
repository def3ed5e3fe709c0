# Variant: the full model trained with ClipCopyPaste: in half the training
# clips, one instance annotated in every frame of the clip (visible and
# sounding) is pasted a second time, at one random offset for the whole
# clip, as a new instance of its category with its own id. Why: the recall
# funnel finds that most sounding objects lost at the tracker's mask NMS
# are lost to one mask drawn over an object and its look-alike
# (configs/seavis/README.md), and two sounding objects of one category side
# by side are a small share of the training frames; each paste makes one.
# The audio is unchanged: the copy sounds because its source does.
# Session 25, both seeds at 400 iterations (configs/seavis/README.md,
# "Weight averaging, and look-alikes made by copy-paste"): mean FSLA / HOTA
# 52.1 / 47.4 against the full model's 53.3 / 51.4, HOTA lower on all four
# sets; it localises no more and the sounding gate passes fewer. An option,
# not the default.
_base_ = './seavis_r18_toyavis.py'
# after the TransformBroadcaster (the per-frame images, masks and ids),
# before the audio and the packing
train_pipeline = _base_.train_pipeline
train_pipeline.insert(2, dict(type='ClipCopyPaste', prob=0.5))
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
