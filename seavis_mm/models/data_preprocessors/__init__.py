# Copyright (c) seavis_mm contributors. All rights reserved.
from .avis_data_preprocessor import AVISDataPreprocessor

__all__ = ['AVISDataPreprocessor']
