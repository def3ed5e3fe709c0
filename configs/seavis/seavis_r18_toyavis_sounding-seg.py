# Variant: the full model with a dense loss on its fused mask features in
# training (SeaVISHead sounding_seg, seavis_mm/models/layers/sounding_seg.py):
# every pixel of every frame is labelled with the category of the sounding
# object it belongs to, or background (a silent object is background), as
# HTC's semantic branch and AVSBench's audio-visual segmentation do.
# Mask2Former trains the mask features only through the matched queries'
# sampled points, and at 400 iterations no query segments about 30% of the
# sounding object-frames. Inference does not run the branch. Weight 5, as
# each of Mask2Former's mask and dice losses: a per-pixel mean over frames
# that are mostly background is small once the background is learned.
_base_ = './seavis_r18_toyavis.py'
model = dict(
    track_head=dict(
        sounding_seg=dict(
            loss=dict(
                type='mmdet.CrossEntropyLoss',
                use_sigmoid=False,
                loss_weight=5.0))))
