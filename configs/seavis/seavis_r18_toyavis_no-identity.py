# Ablation: no identity embedding. The tracker associates on the sound-aware
# (AGCL) embedding, as SeaVIS did before identity and sounding were learned
# apart.
_base_ = './seavis_r18_toyavis.py'
model = dict(track_head=dict(id_embed_dims=None, loss_identity=None))
