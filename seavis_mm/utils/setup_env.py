# Copyright (c) seavis_mm contributors. All rights reserved.
import datetime
import warnings

from mmengine import DefaultScope


def register_all_modules(init_default_scope: bool = True) -> None:
    """Register all modules of seavis_mm (and mmdet's) into the registries.

    Args:
        init_default_scope (bool): Whether to set the default scope to
            ``seavis_mm``, so that unprefixed ``type`` names in configs are
            looked up in our registries first, then in mmdet's.
            Defaults to True.
    """
    from mmdet.utils import register_all_modules as mmdet_register_all_modules

    mmdet_register_all_modules(init_default_scope=False)

    # seavis_mm.apis is not imported here: it registers nothing, and it
    # imports seavis_mm.utils, so importing it from utils made a cycle.
    import seavis_mm.datasets  # noqa: F401,F403
    import seavis_mm.engine  # noqa: F401,F403
    import seavis_mm.evaluation  # noqa: F401,F403
    import seavis_mm.models  # noqa: F401,F403
    import seavis_mm.visualization  # noqa: F401,F403
    from .checkpoint import allow_mmengine_checkpoint_globals

    allow_mmengine_checkpoint_globals()

    if init_default_scope:
        never_created = DefaultScope.get_current_instance() is None \
            or not DefaultScope.check_instance_created('seavis_mm')
        if never_created:
            DefaultScope.get_instance('seavis_mm', scope_name='seavis_mm')
            return
        current_scope = DefaultScope.get_current_instance()
        if current_scope.scope_name != 'seavis_mm':
            warnings.warn('The current default scope '
                          f'"{current_scope.scope_name}" is not "seavis_mm", '
                          '`register_all_modules` will force the current'
                          'default scope to be "seavis_mm". If this is not '
                          'expected, please set `init_default_scope=False`.')
            # avoid name conflict
            new_instance_name = f'seavis_mm-{datetime.datetime.now()}'
            DefaultScope.get_instance(new_instance_name, scope_name='seavis_mm')
