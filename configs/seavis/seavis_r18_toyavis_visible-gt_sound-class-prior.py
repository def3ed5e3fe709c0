# Variant: training on every visible object (seavis_r18_toyavis_visible-gt.py)
# with the audio's sounding categories in the sounding logit
# (seavis_r18_toyavis_sound-class-prior.py). Trained on every visible
# object, the model at 400 iterations drops a third of the sounding
# candidates in frames whose sources are of several kinds and almost none
# when a source is alone (configs/seavis/README.md, "Every visible object in
# training"); there the silent objects of the frame are the sounding
# probability's negatives, and whether a query's category is in the audio
# is what tells them apart.
_base_ = ['./seavis_r18_toyavis_visible-gt.py']
model = dict(track_head=dict(sound_class_prior=dict(loss_weight=1.0)))
