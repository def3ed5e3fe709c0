# The audio-blind baseline from the visual start pretrained longest on the
# larger set (configs/visual_pretrain/
# mask2former_r18_toyavis-pretrain_large2x.py), the start of
# seavis_r18_toyavis_audio-visual-pretrained-large2x_sound-class-prior.py,
# fine-tuned on the sounding objects like every *_visual-pretrained row.
# (the checkpoint's name comes through that file's own visual_pretrained
# base: a second copy of the base here is a duplicate key to mmengine)
_base_ = ['./mask2former-minvis_r18_toyavis_visual-pretrained.py']
load_from = {{_base_.visual_pretrained_checkpoint_large2x}}
