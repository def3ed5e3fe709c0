# Audio-blind baseline: mmdet's Mask2Former per frame + MinVIS-style
# association (Hungarian on the cosine similarity of the query features), no
# audio anywhere. What a user would run today instead of SeaVIS.
# It is the FiLM baseline with its audio taken out, so that the two
# baselines share every other setting by construction.
_base_ = './mask2former-film_r18_toyavis.py'
model = dict(audio_encoder=None, audio_fusion=None)
