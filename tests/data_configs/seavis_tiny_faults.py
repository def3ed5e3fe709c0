# The tiny config plus test-only hooks (tests/engine/fault_hooks.py,
# tests/engine/iter_seed_hook.py). Needs the repository root on PYTHONPATH.
# Switch a fault on with --cfg-options, by index in custom_hooks:
#   custom_hooks.2.at_iter=3             NaN in loss term custom_hooks.2.term
#   custom_hooks.3.at_iter=2 custom_hooks.3.ready_file=F
#                                        pause after iteration 2's checkpoint
_base_ = ['./seavis_tiny_toyavis.py']

custom_imports = dict(
    imports=['tests.engine.fault_hooks'],
    allow_failed_imports=False)
custom_hooks = [
    dict(type='CheckFiniteLossHook', priority='ABOVE_NORMAL'),
    dict(type='IterSeedHook'),
    dict(type='InjectNaNLossHook', at_iter=None, term='loss_dice'),
    dict(type='PauseAfterIterHook', at_iter=None, ready_file=None),
]
