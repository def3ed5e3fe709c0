# Variant: the full model with only the visual start pretrained (the
# audio-blind Mask2Former of configs/visual_pretrain/
# mask2former_r18_toyavis-pretrain.py, trained first), its audio encoder
# learned from nothing as in the zoo: the visual start's own row beside
# seavis_r18_toyavis_audio-visual-pretrained_sound-class-prior.py
# (configs/seavis/README.md, "Both encoders pretrained").
_base_ = [
    './seavis_r18_toyavis.py', '../_base_/visual_pretrained_toyavis.py'
]
load_from = {{_base_.visual_pretrained_checkpoint}}
