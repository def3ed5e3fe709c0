# The FiLM baseline with both encoders pretrained as in
# seavis_r18_toyavis_audio-visual-pretrained_sound-class-prior.py: what is
# shared changes for every row alike.
_base_ = [
    './mask2former-film_r18_toyavis_audio-pretrained.py',
    '../_base_/visual_pretrained_toyavis.py'
]
load_from = {{_base_.visual_pretrained_checkpoint}}
