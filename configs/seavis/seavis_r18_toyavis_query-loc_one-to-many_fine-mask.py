# Variant: the one-to-many query reference points with masks predicted at
# stride 2 (SeaVISHead fine_mask; seavis_r18_toyavis_fine-mask.py).
# Measured at 400 iterations, both seeds (configs/seavis/README.md, "Masks
# at stride 2"): behind the points without it in FSLA on 3 of 4 val sets
# and in HOTA on 2 (seed 0 val 57.2 / 54.2 against 57.3 / 60.3); at 1,600
# (seed 0) ahead on val (64.8 / 67.7 against 62.7 / 65.8), behind on val2
# (57.0 / 56.3 against 58.2 / 57.3): not adopted.
_base_ = './seavis_r18_toyavis_query-loc_one-to-many.py'
model = dict(track_head=dict(fine_mask=dict()))
