# Ablation: the sounding loss skips frames with no sounding object, so the
# anchor never learns to reject every query of a silent frame.
_base_ = './seavis_r18_toyavis.py'
model = dict(track_head=dict(loss_sound=dict(silent_frames=False)))
