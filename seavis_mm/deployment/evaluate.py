# Copyright (c) seavis_mm contributors. All rights reserved.
"""Score a backend on the config's test set: the test dataloader, SeaVIS's
online path with the backend's per-frame network
(``SeaVIS.predict(..., frame_forward=)``) and the config's evaluator,
as ``tools/test.py`` scores eager PyTorch. This is how an exported, compiled
or int8 network is checked against the accuracy of the model it came from
(``tools/deployment/test_backend.py``)."""
from typing import Callable, Dict, Optional

import torch
from mmengine.config import Config
from mmengine.evaluator import Evaluator
from mmengine.logging import print_log
from mmengine.runner import Runner
from torch import nn


def evaluate_backend(model: nn.Module,
                     cfg: Config,
                     frame_forward: Optional[Callable] = None,
                     log_interval: int = 10) -> Dict[str, float]:
    """The config's test metrics of ``model`` with ``frame_forward``.

    Args:
        model (nn.Module): SeaVIS in eval mode.
        cfg (Config): Its config (``test_dataloader``, ``test_evaluator``).
        frame_forward (callable, optional): A backend of
            :func:`~seavis_mm.deployment.build_frame_backend`; None: the
            model's own ``forward_frame``.
        log_interval (int): Log every this many videos.

    Returns:
        dict: The evaluator's metrics (e.g. ``avis/FSLA``).
    """
    loader = Runner.build_dataloader(cfg.test_dataloader)
    evaluator = Evaluator(cfg.test_evaluator)
    evaluator.dataset_meta = getattr(loader.dataset, 'metainfo', None)
    n = len(loader)
    with torch.no_grad():
        for i, batch in enumerate(loader):
            data = model.data_preprocessor(batch, False)
            outputs = model.predict(
                data['inputs'], data['data_samples'],
                frame_forward=frame_forward)
            evaluator.process(data_samples=outputs, data_batch=batch)
            if (i + 1) % log_interval == 0 or i + 1 == n:
                print_log(f'video {i + 1}/{n}', logger='current')
    return evaluator.evaluate(len(loader.dataset))


__all__ = ['evaluate_backend']
