# Ablation of the zoo base (evaluation only: it tests the checkpoint of
# seavis_r18_toyavis_audio-visual-pretrained-large3x_train-large.py): the
# tracker as before issue 13, deciding sounding per frame, updating the
# memory from every match and retaining silent tracks no longer than others.
_base_ = [
    './seavis_r18_toyavis_audio-visual-pretrained-large3x_train-large.py'
]
model = dict(
    tracker=dict(
        num_frames_retain_silent=None, sound_momentum=1.0,
        update_sim_thr=None))
