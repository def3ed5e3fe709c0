# Variant: both encoders pretrained (seavis_r18_toyavis_audio-visual-
# pretrained_sound-class-prior.py) with the visual start pretrained on a
# more varied set (configs/visual_pretrain/
# mask2former_r18_toyavis-pretrain_varied.py: the look of the second val
# set, other videos), as COCO is more varied than AVISeg. The fine-tuning
# data is unchanged. With the start pretrained on the usual look, the model
# loses 3-6 FSLA from val to the cluttered val2 (sessions 30 and 31, both
# seeds), and the split into mask components loses HOTA there.
# (the checkpoint's name comes through that file's own visual_pretrained
# base: a second copy of the base here is a duplicate key to mmengine)
_base_ = ['./seavis_r18_toyavis_audio-visual-pretrained_sound-class-prior.py']
load_from = {{_base_.visual_pretrained_checkpoint_varied}}
