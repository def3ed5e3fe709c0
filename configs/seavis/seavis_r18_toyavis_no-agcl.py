# Ablation: no AGCL loss and no sounding probability; the tracker has no
# sound-aware gate (nothing to gate with: without them the embeddings are not
# aligned with the audio), so the embeddings are the raw query features,
# MinVIS-style. The identity embedding is kept.
_base_ = './seavis_r18_toyavis.py'
model = dict(
    track_head=dict(
        num_embed_fcs=0,
        audio_channels=None,
        loss_agcl_frame=None,
        loss_agcl_instance=None,
        loss_sound=None),
    tracker=dict(sound_gate=False))
