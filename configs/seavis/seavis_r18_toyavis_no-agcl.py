# Ablation: no AGCL loss; the tracker has no sound-aware gate (nothing to
# gate with: without AGCL the embeddings are not aligned with the audio), so
# the embeddings are the raw query features, MinVIS-style.
_base_ = './seavis_r18_toyavis.py'
model = dict(
    track_head=dict(
        num_embed_fcs=0,
        audio_channels=None,
        loss_agcl_frame=None,
        loss_agcl_instance=None),
    tracker=dict(sound_gate=False))
