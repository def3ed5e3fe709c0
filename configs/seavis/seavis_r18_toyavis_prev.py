# SeaVIS as it was before identity and sounding were learned apart (issue
# 13): one sound-aware embedding for association and the gate, AGCL as
# first written, the per-frame cosine gate and the previous tracker. Kept as
# the reference row of the zoo.
_base_ = './seavis_r18_toyavis.py'
model = dict(
    track_head=dict(
        id_embed_dims=None,
        loss_identity=None,
        loss_sound=None,
        loss_agcl_instance=dict(exclude_cosounding=False)),
    tracker=dict(
        num_frames_retain_silent=None, sound_momentum=1.0,
        update_sim_thr=None))
