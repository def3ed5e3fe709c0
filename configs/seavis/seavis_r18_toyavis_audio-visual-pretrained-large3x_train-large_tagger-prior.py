# Variant of the zoo base
# (seavis_r18_toyavis_audio-visual-pretrained-large3x_train-large.py): the
# sound-class prior's audio classifier is the pretrained audio tagger's
# head (one Linear on the audio embedding, SeaVISHead sound_class_prior
# num_layers=1 with init_cfg from the tagger's checkpoint), where the
# zoo base learns a two-layer one from nothing in its 400 iterations. On
# ToyAVIS val (seed 0, tools/analysis_tools/audio_tagging.py) the tagger
# names 99.4% of the categories of frames mixing several kinds, the
# zoo base's fine-tuned classifier 94.3%, and the sounding objects the gate
# drops are those of three-source mixtures. Measured (session 35, seeds
# 0-3, val and val2): mean FSLA / HOTA 67.8 / 69.8 against 66.5 / 69.4,
# FAm +3.9. With position in the mask features it is the default config
# (..._tagger-prior_mask-pos.py).
# (the tagger's checkpoint comes through the base's own
# audio_pretrained_toyavis.py: a second copy here is a duplicate key)
_base_ = [
    './seavis_r18_toyavis_audio-visual-pretrained-large3x_train-large.py'
]
model = dict(
    track_head=dict(
        sound_class_prior=dict(
            loss_weight=1.0,
            num_layers=1,
            init_cfg={{_base_.audio_tag_head_init}})))
