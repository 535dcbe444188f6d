"""Data preprocessors of gankd's own batch formats (registered in MODELS)."""
from .restoration_data_preprocessor import (RestorationBatchError,
                                            RestorationDataPreprocessor)

__all__ = ['RestorationDataPreprocessor', 'RestorationBatchError']
