# Variant, evaluation only (it runs the checkpoint of
# seavis_r18_toyavis_audio-visual-pretrained_sound-class-prior.py): the
# mask components of seavis_r18_toyavis_split-components.py on the model
# with both encoders pretrained. The split lost HOTA on the cluttered val2
# when the masks were learned from nothing (configs/seavis/README.md, "Mask
# components"); a visual start that learned every visible object first may
# leave fewer masks that break into pieces that are not objects.
_base_ = ['./seavis_r18_toyavis_audio-visual-pretrained_sound-class-prior.py']
model = dict(
    track_head=dict(split_components=dict(min_area_frac=0.2)),
    tracker=dict(mask_nms_thr=0.3, mask_iou_weight=0.5, score_thr=0.5))
