# The FiLM baseline with the same pretrained audio encoder as
# seavis_r18_toyavis_audio-pretrained.py: what is shared changes for every
# row alike (configs/seavis/README.md, "The audio encoder pretrained").
_base_ = './mask2former-film_r18_toyavis.py'
audio_pretrained = ('work_dirs/audio_tagger/audio-tagger_toyavis/'
                    'iter_600.pth')
model = dict(
    audio_encoder=dict(
        init_cfg=dict(
            type='Pretrained',
            checkpoint=audio_pretrained,
            prefix='audio_encoder.')))
