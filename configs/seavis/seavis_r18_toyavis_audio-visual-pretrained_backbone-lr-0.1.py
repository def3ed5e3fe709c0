# Variant: both encoders pretrained (seavis_r18_toyavis_audio-visual-
# pretrained_sound-class-prior.py), fine-tuned with the backbone at a tenth
# of the learning rate, as mmdet's Mask2Former configs fine-tune an
# ImageNet/COCO start (_base_/schedules/schedule_20k.py). The toy configs
# raised the backbone to the full rate because their ResNet-18 learned from
# nothing; with the visual start that reason is gone, and a backbone moved
# at the full rate by 400 iterations of sounding-only masks may forget
# objects it learned to separate in pretraining.
_base_ = ['./seavis_r18_toyavis_audio-visual-pretrained_sound-class-prior.py']
optim_wrapper = dict(
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=0.1)}))
