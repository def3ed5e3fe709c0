# Baseline for seavis_r18_toyavis_audio-visual-pretrained-large2x_train-
# large.py: FiLM from the same starts, fine-tuned on the same larger set
# (data/toyavis_pretrain_large, 800 videos). Measured (session 33, 400
# iterations): mean FSLA / HOTA 55.6 / 59.8 (52.7 / 57.7 on the 80 videos).
_base_ = ['./mask2former-film_r18_toyavis_audio-visual-pretrained-large2x.py']
train_dataloader = dict(
    dataset=dict(data_root='data/toyavis_pretrain_large/'))
