# Naive audio-visual baseline: the same Mask2Former with the frame's audio
# embedding fused by FiLM (per-channel scale and shift) into every backbone
# level; MinVIS-style association; no CCAF, no AGCL, no sound-aware gate.
_base_ = './seavis_r18_toyavis.py'
model = dict(
    neck=None,
    audio_fusion=dict(
        type='FiLMFusion', in_channels=[64, 128, 256, 512],
        audio_channels=128),
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
