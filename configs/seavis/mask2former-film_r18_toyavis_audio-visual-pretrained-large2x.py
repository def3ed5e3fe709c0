# Baseline from the same starts as seavis_r18_toyavis_audio-visual-
# pretrained-large2x_sound-class-prior.py: FiLM with the tagger's audio
# encoder and the visual start trained longest on the larger set
# (configs/visual_pretrain/mask2former_r18_toyavis-pretrain_large2x.py).
# (the checkpoint's name comes through that file's own visual_pretrained
# base: a second copy of the base here is a duplicate key to mmengine)
_base_ = ['./mask2former-film_r18_toyavis_audio-visual-pretrained.py']
load_from = {{_base_.visual_pretrained_checkpoint_large2x}}
