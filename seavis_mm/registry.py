# Copyright (c) seavis_mm contributors. All rights reserved.
"""Registries of seavis_mm, children of MMDetection's.

Every node has ``parent=`` the matching :mod:`mmdet.registry` node, so a config
with ``default_scope = 'seavis_mm'`` can name our components
(``type='SeaVIS'``), any MMDetection / MMCV / MMEngine component unprefixed
(``type='ResNet'`` resolves through the parents) and components of sibling
codebases with their scope prefix (``type='mmpretrain.ConvNeXt'``).
``locations`` lets a registry import the modules that register into it the
first time it is asked for something.
"""
from mmdet.registry import DATA_SAMPLERS as MMDET_DATA_SAMPLERS
from mmdet.registry import DATASETS as MMDET_DATASETS
from mmdet.registry import EVALUATOR as MMDET_EVALUATOR
from mmdet.registry import HOOKS as MMDET_HOOKS
from mmdet.registry import LOG_PROCESSORS as MMDET_LOG_PROCESSORS
from mmdet.registry import LOOPS as MMDET_LOOPS
from mmdet.registry import METRICS as MMDET_METRICS
from mmdet.registry import MODEL_WRAPPERS as MMDET_MODEL_WRAPPERS
from mmdet.registry import MODELS as MMDET_MODELS
from mmdet.registry import \
    OPTIM_WRAPPER_CONSTRUCTORS as MMDET_OPTIM_WRAPPER_CONSTRUCTORS
from mmdet.registry import OPTIM_WRAPPERS as MMDET_OPTIM_WRAPPERS
from mmdet.registry import OPTIMIZERS as MMDET_OPTIMIZERS
from mmdet.registry import PARAM_SCHEDULERS as MMDET_PARAM_SCHEDULERS
from mmdet.registry import RUNNER_CONSTRUCTORS as MMDET_RUNNER_CONSTRUCTORS
from mmdet.registry import RUNNERS as MMDET_RUNNERS
from mmdet.registry import TASK_UTILS as MMDET_TASK_UTILS
from mmdet.registry import TRANSFORMS as MMDET_TRANSFORMS
from mmdet.registry import VISBACKENDS as MMDET_VISBACKENDS
from mmdet.registry import VISUALIZERS as MMDET_VISUALIZERS
from mmdet.registry import \
    WEIGHT_INITIALIZERS as MMDET_WEIGHT_INITIALIZERS
from mmengine.registry import Registry

SCOPE = 'seavis_mm'

RUNNERS = Registry(
    'runner', parent=MMDET_RUNNERS, scope=SCOPE, locations=['seavis_mm.engine'])
RUNNER_CONSTRUCTORS = Registry(
    'runner constructor',
    parent=MMDET_RUNNER_CONSTRUCTORS,
    scope=SCOPE,
    locations=['seavis_mm.engine'])
LOOPS = Registry(
    'loop', parent=MMDET_LOOPS, scope=SCOPE, locations=['seavis_mm.engine'])
HOOKS = Registry(
    'hook', parent=MMDET_HOOKS, scope=SCOPE, locations=['seavis_mm.engine'])

DATASETS = Registry(
    'dataset',
    parent=MMDET_DATASETS,
    scope=SCOPE,
    locations=['seavis_mm.datasets'])
DATA_SAMPLERS = Registry(
    'data sampler',
    parent=MMDET_DATA_SAMPLERS,
    scope=SCOPE,
    locations=['seavis_mm.datasets'])
TRANSFORMS = Registry(
    'transform',
    parent=MMDET_TRANSFORMS,
    scope=SCOPE,
    locations=['seavis_mm.datasets.transforms'])

MODELS = Registry(
    'model', parent=MMDET_MODELS, scope=SCOPE, locations=['seavis_mm.models'])
MODEL_WRAPPERS = Registry(
    'model_wrapper',
    parent=MMDET_MODEL_WRAPPERS,
    scope=SCOPE,
    locations=['seavis_mm.models'])
WEIGHT_INITIALIZERS = Registry(
    'weight initializer',
    parent=MMDET_WEIGHT_INITIALIZERS,
    scope=SCOPE,
    locations=['seavis_mm.models'])
TASK_UTILS = Registry(
    'task util',
    parent=MMDET_TASK_UTILS,
    scope=SCOPE,
    locations=['seavis_mm.models'])

OPTIMIZERS = Registry(
    'optimizer',
    parent=MMDET_OPTIMIZERS,
    scope=SCOPE,
    locations=['seavis_mm.engine'])
OPTIM_WRAPPERS = Registry(
    'optim_wrapper',
    parent=MMDET_OPTIM_WRAPPERS,
    scope=SCOPE,
    locations=['seavis_mm.engine'])
OPTIM_WRAPPER_CONSTRUCTORS = Registry(
    'optimizer wrapper constructor',
    parent=MMDET_OPTIM_WRAPPER_CONSTRUCTORS,
    scope=SCOPE,
    locations=['seavis_mm.engine'])
PARAM_SCHEDULERS = Registry(
    'parameter scheduler',
    parent=MMDET_PARAM_SCHEDULERS,
    scope=SCOPE,
    locations=['seavis_mm.engine'])

METRICS = Registry(
    'metric',
    parent=MMDET_METRICS,
    scope=SCOPE,
    locations=['seavis_mm.evaluation'])
EVALUATOR = Registry(
    'evaluator',
    parent=MMDET_EVALUATOR,
    scope=SCOPE,
    locations=['seavis_mm.evaluation'])

VISUALIZERS = Registry(
    'visualizer',
    parent=MMDET_VISUALIZERS,
    scope=SCOPE,
    locations=['seavis_mm.visualization'])
VISBACKENDS = Registry(
    'vis_backend',
    parent=MMDET_VISBACKENDS,
    scope=SCOPE,
    locations=['seavis_mm.visualization'])
LOG_PROCESSORS = Registry(
    'log_processor',
    parent=MMDET_LOG_PROCESSORS,
    scope=SCOPE,
    locations=['seavis_mm.engine'])
