# Ablation: AGCL's instance level picks an instance's silent look-alike among
# all queries, including those matched to other instances sounding in the
# same frame (the original loss).
_base_ = './seavis_r18_toyavis.py'
model = dict(
    track_head=dict(loss_agcl_instance=dict(exclude_cosounding=False)))
