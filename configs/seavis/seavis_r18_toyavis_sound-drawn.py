# Variant: the full model with the sounding probability trained on what each
# query draws (SoundingBCELoss targets='drawn'): every query whose mask
# covers a sounding object is a positive, not only the one the Hungarian
# matching picks (configs/seavis/README.md).
_base_ = './seavis_r18_toyavis.py'
model = dict(track_head=dict(loss_sound=dict(targets='drawn')))
