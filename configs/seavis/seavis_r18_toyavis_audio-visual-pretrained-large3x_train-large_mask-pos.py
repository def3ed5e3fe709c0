# Variant of the zoo base (the default of session 34)
# (seavis_r18_toyavis_audio-visual-pretrained-large3x_train-large.py): the
# mask features carry a learned position embedding (SeaVISHead
# mask_pos_embed, zero at the start, so the pretrained start is kept), as
# seavis_r18_toyavis_mask-pos.py does on the from-scratch base. On the
# zoo base, 58% of the sounding objects no query localises are drawn in one
# mask with a sounding look-alike (recall_analysis.py, val, seed 0).
_base_ = [
    './seavis_r18_toyavis_audio-visual-pretrained-large3x_train-large.py'
]
model = dict(track_head=dict(mask_pos_embed=True))
