# Variant: the paper's recipe, both encoders pretrained. The audio encoder
# from the audio tagger and the audio's categories in the sounding logit
# (seavis_r18_toyavis_audio-pretrained_sound-class-prior.py), and everything
# visual (backbone, pixel decoder, queries, decoder, class and mask heads)
# from the audio-blind Mask2Former pretrained on every visible object of a
# separate ToyAVIS set, as the paper starts from Mask2Former on COCO. Train
# both first (configs/audio_tagger/audio-tagger_toyavis.py, configs/
# visual_pretrain/mask2former_r18_toyavis-pretrain.py).
# Measured (session 30, 400 iterations, both seeds, val and val2): mean
# FSLA / HOTA 58.2 / 57.9 against the full model's 53.3 / 51.4, ahead on
# all four sets; FiLM from the same starts 52.0 / 54.0. Not the default
# until the zoo's rows are trained again from both starts (configs/seavis/
# README.md, "Both encoders pretrained").
_base_ = [
    './seavis_r18_toyavis_audio-pretrained_sound-class-prior.py',
    '../_base_/visual_pretrained_toyavis.py'
]
load_from = {{_base_.visual_pretrained_checkpoint}}
