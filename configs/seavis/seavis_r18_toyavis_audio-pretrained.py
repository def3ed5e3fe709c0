# Variant: the full model with its audio encoder started from the audio
# tagger pretrained on the ToyAVIS train frames (configs/audio_tagger/
# audio-tagger_toyavis.py), as the paper starts from VGGish on AudioSet.
# Trained with the model from nothing, at 400 iterations the encoder names
# the sounding categories of 47-74% of the frames whose sounds are of
# several kinds; alone, after 600 iterations of 64 frames, 99%
# (configs/seavis/README.md, "The audio encoder pretrained"). Train the
# tagger first:
#   python tools/train.py configs/audio_tagger/audio-tagger_toyavis.py \
#       --work-dir work_dirs/audio_tagger/audio-tagger_toyavis
_base_ = './seavis_r18_toyavis.py'
audio_pretrained = ('work_dirs/audio_tagger/audio-tagger_toyavis/'
                    'iter_600.pth')
model = dict(
    audio_encoder=dict(
        init_cfg=dict(
            type='Pretrained',
            checkpoint=audio_pretrained,
            prefix='audio_encoder.')))
