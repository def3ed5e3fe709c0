# Ablation: audio is not fused into the visual features (no CCAF); audio
# reaches the model only through AGCL's anchors and the tracker's gate.
_base_ = './seavis_r18_toyavis.py'
model = dict(neck=None)
