# Ablation (evaluation only: it tests the full model's checkpoint): the
# tracker as before, deciding sounding per frame, updating the memory from
# every match and retaining silent tracks no longer than the others.
_base_ = './seavis_r18_toyavis.py'
model = dict(
    tracker=dict(
        num_frames_retain_silent=None, sound_momentum=1.0,
        update_sim_thr=None))
