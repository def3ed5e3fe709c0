# Variant: the full model with mask-quality class targets (SeaVISHead
# loss_cls_quality, seavis_mm/models/losses/quality_cls_loss.py): a matched
# query's class target is the IoU of its mask with its instance, the rest
# "no object", at every decoder layer. At inference a query's score is its
# class probability times its mean mask probability, and the tracker's mask
# NMS keeps the higher-scoring of two overlapping masks; with hard targets a
# mask drawn over two look-alikes scores as high as a clean one and
# suppresses it (the recall funnel's NMS drops, configs/seavis/README.md).
# Weight 2, as Mask2Former's class loss it replaces.
# Session 24, both seeds at 400 iterations (configs/seavis/README.md,
# "Mask-quality class targets, and a deeper decoder"): behind the full model
# (mean FSLA / HOTA of both seeds and both val sets 52.5 / 48.9 against
# 53.3 / 51.4; the full model's NMS drops almost nothing, and the softer
# class scores pass fewer sounding objects). An option, not the default.
_base_ = './seavis_r18_toyavis.py'
model = dict(
    track_head=dict(
        loss_cls_quality=dict(
            type='QualityCrossEntropyLoss', power=1.0, loss_weight=2.0)))
