# The toy audio encoder's start from the audio tagger's checkpoint
# (configs/audio_tagger/audio-tagger_toyavis.py, trained first), for the
# *_audio-pretrained configs of every model with audio alike. The path is
# relative to where training runs, as work_dir is.
audio_encoder_init = dict(
    type='Pretrained',
    checkpoint='work_dirs/audio_tagger/audio-tagger_toyavis/iter_600.pth',
    prefix='audio_encoder.')
# The same checkpoint's classifier (AudioTagger's cls_head), for a linear
# sound-class prior (SeaVISHead sound_class_prior num_layers=1,
# seavis_mm/models/layers/audio_tag_head.py).
audio_tag_head_init = dict(
    type='Pretrained',
    checkpoint='work_dirs/audio_tagger/audio-tagger_toyavis/iter_600.pth',
    prefix='cls_head.')
