# Audio-blind baseline: mmdet's Mask2Former per frame + MinVIS-style
# association (Hungarian on the cosine similarity of the query features), no
# audio anywhere. What a user would run today instead of SeaVIS.
_base_ = './seavis_r18_toyavis.py'
model = dict(
    audio_encoder=None,
    neck=None,
    track_head=dict(
        num_embed_fcs=0,
        audio_channels=None,
        id_embed_dims=None,
        loss_agcl_frame=None,
        loss_agcl_instance=None,
        loss_identity=None,
        loss_sound=None),
    tracker=dict(
        sound_gate=False,
        num_frames_retain_silent=None,
        update_sim_thr=None))
