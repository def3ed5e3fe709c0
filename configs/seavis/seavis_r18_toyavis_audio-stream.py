# SeaVIS whose training sees the stream's audio and whose CCAF attends to
# several sounds a frame (issue 13):
# - the audio encoder gives CCAF the 2 x 4 time-frequency cells of its last
#   conv map (128 channels) instead of one pooled embedding, so that
#   different visual tokens can attend to different sounds; every cell is
#   keyed by its age 0..15 in the ring (not just now / past);
# - training clips also see the 15 audio frames before them (K - 1 for the
#   ring of K = 16), as the stream does at the same frames
#   (LoadAudioWindows(past_audio_frames=15) in the ToyAVIS train pipeline).
# Its ablations: ..._audio-stream_no-past-audio, ..._audio-stream_one-audio-
# token.
_base_ = './seavis_r18_toyavis.py'
model = dict(
    audio_encoder=dict(tokens='cells', cell_grid=(2, 4)),
    neck=dict(
        audio_channels=128,  # the encoder's token_channels (last conv)
        tokens_per_frame=8,
        time_embed='age',
        max_age=16,
        past_audio_frames=15))
