# Copyright (c) seavis_mm contributors. All rights reserved.
from .agcl_loss import (AGCLFrameLoss, AGCLInstanceLoss, agcl_frame_loss,
                        agcl_instance_loss)
from .category_tag_loss import category_tag_loss, category_targets
from .identity_loss import IdentityContrastLoss, identity_contrast_loss
from .quality_cls_loss import (QualityCrossEntropyLoss, matched_mask_iou,
                               quality_cross_entropy)
from .rival_mask_loss import RivalMaskLoss, rival_mask_loss, rival_maps
from .sounding_loss import SoundingBCELoss, sounding_bce_loss

__all__ = [
    'AGCLFrameLoss', 'AGCLInstanceLoss', 'agcl_frame_loss',
    'agcl_instance_loss', 'category_tag_loss', 'category_targets',
    'IdentityContrastLoss', 'identity_contrast_loss',
    'QualityCrossEntropyLoss', 'matched_mask_iou', 'quality_cross_entropy',
    'RivalMaskLoss', 'rival_mask_loss', 'rival_maps',
    'SoundingBCELoss', 'sounding_bce_loss'
]
