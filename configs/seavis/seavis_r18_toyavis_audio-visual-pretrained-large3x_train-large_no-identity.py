# Ablation of the zoo base (session 34's default recipe)
# (seavis_r18_toyavis_audio-visual-pretrained-large3x_train-large.py): no
# identity embedding; the tracker associates on the AGCL embedding, as
# seavis_r18_toyavis_no-identity.py does on the from-scratch base.
_base_ = [
    './seavis_r18_toyavis_audio-visual-pretrained-large3x_train-large.py'
]
model = dict(track_head=dict(id_embed_dims=None, loss_identity=None))
