# SeaVIS as it was before issue 13: one sound-aware embedding for
# association and the gate, AGCL as first written, the per-frame cosine gate
# and the previous tracker; CCAF with one pooled audio token a frame, the
# now / past recency embedding and no audio before a training clip. Kept as
# the reference row of the zoo (data and augmentation are today's).
_base_ = './seavis_r18_toyavis.py'
model = dict(
    audio_encoder=dict(tokens='pooled', cell_grid=None),
    neck=dict(
        audio_channels=128,
        tokens_per_frame=1,
        time_embed='recency',
        max_age=None,
        past_audio_frames=0),
    track_head=dict(
        id_embed_dims=None,
        loss_identity=None,
        loss_sound=None,
        loss_agcl_instance=dict(exclude_cosounding=False)),
    tracker=dict(
        num_frames_retain_silent=None, sound_momentum=1.0,
        update_sim_thr=None))
