# Ablation of seavis_r18_toyavis (its audio stream): one audio token a
# frame (the pooled embedding, as the released-feature `feat` configs have
# it) instead of the 2 x 4 time-frequency cells; still keyed by age, still
# with the audio before the clip.
_base_ = './seavis_r18_toyavis.py'
model = dict(
    audio_encoder=dict(tokens='pooled', cell_grid=None),
    neck=dict(audio_channels=128, tokens_per_frame=1))
