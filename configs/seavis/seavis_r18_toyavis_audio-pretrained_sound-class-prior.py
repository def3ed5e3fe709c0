# Variant: the pretrained audio encoder
# (seavis_r18_toyavis_audio-pretrained.py) with the audio's sounding
# categories in the sounding logit (seavis_r18_toyavis_sound-class-prior.py).
# Trained with the model from nothing, that category classifier named
# 47-89% of the sounding categories of frames whose sounds are of several
# kinds; on the pretrained embedding a linear tagger names 99%
# (configs/seavis/README.md, "Every visible object in training; the audio
# encoder pretrained").
_base_ = ['./seavis_r18_toyavis_audio-pretrained.py']
model = dict(track_head=dict(sound_class_prior=dict(loss_weight=1.0)))
