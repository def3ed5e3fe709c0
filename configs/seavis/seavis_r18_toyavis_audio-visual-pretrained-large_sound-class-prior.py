# Variant: both encoders pretrained (seavis_r18_toyavis_audio-visual-
# pretrained_sound-class-prior.py), with the visual start of the 2x row
# trained on for 1,200 more iterations on a ten times larger pretraining set
# (configs/visual_pretrain/mask2former_r18_toyavis-pretrain_large.py). The
# 2x start has learnt its 80 videos by heart: it localises 97% of their
# look-alike pairs and 50% of val's; this start localises 64.5% of them.
# Measured (session 32, 400 iterations, both seeds, val and val2): mean
# FSLA / HOTA 62.2 / 63.6 against the 2x row's 60.2 / 60.4, ahead on all
# four sets in both (configs/seavis/README.md, "A ten times larger
# pretraining set").
# (the checkpoint's name comes through that file's own visual_pretrained
# base: a second copy of the base here is a duplicate key to mmengine)
_base_ = ['./seavis_r18_toyavis_audio-visual-pretrained_sound-class-prior.py']
load_from = {{_base_.visual_pretrained_checkpoint_large}}
