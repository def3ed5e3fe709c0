# Copyright (c) seavis_mm contributors. All rights reserved.
from .agcl_loss import (AGCLFrameLoss, AGCLInstanceLoss, agcl_frame_loss,
                        agcl_instance_loss)

__all__ = [
    'AGCLFrameLoss', 'AGCLInstanceLoss', 'agcl_frame_loss',
    'agcl_instance_loss'
]
