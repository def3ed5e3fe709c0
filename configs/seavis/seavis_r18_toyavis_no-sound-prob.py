# Ablation: no per-query sounding probability (no SoundingBCELoss). The
# tracker gates on the cosine of the AGCL embedding with the audio anchor,
# with the hand-picked threshold sound_thr=0.0, as before.
_base_ = './seavis_r18_toyavis.py'
model = dict(track_head=dict(loss_sound=None))
