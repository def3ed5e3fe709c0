# The default config of session 35 (since session 36 the default,
# ..._large5x_train-large_tagger-prior_mask-pos.py, is this from a longer
# visual start): the zoo base
# (seavis_r18_toyavis_audio-visual-pretrained-large3x_train-large.py, the
# default of session 34, whose ablation rows the zoo of record has) with
# the sound-class prior started from the pretrained tagger's head (its
# _tagger-prior.py variant) and position in the mask features (its
# _mask-pos.py variant). Its pretrained starts come from `make pretrain`
# (tools/run_pretrain.sh), as the zoo base's.
# Measured (configs/seavis/README.md, session 35; 400 iterations, seeds 0-3,
# ToyAVIS val and val2): mean FSLA / HOTA 68.1 / 70.2 against the zoo base's
# 66.5 / 69.4 and the tagger's head alone's 67.8 / 69.8; val FSLA 72.1 /
# 70.0 / 70.0 / 72.4.
_base_ = [
    './seavis_r18_toyavis_audio-visual-pretrained-large3x_train-large_'
    'tagger-prior.py'
]
model = dict(track_head=dict(mask_pos_embed=True))
