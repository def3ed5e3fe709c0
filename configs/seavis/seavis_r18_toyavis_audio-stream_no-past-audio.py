# Ablation of seavis_r18_toyavis (its audio stream): training clips see only
# their own audio (a clip's first frame attends to itself alone); the stream
# still holds K = 16 frames.
_base_ = './seavis_r18_toyavis.py'
model = dict(neck=dict(past_audio_frames=0))
