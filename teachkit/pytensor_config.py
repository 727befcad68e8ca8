"""The former home of :mod:`teachkit.fit.pytensor_config`, kept so that existing code keeps working."""

from teachkit.fit.pytensor_config import BLAS_FLAG, cache_dir, configure_pytensor

__all__ = ["BLAS_FLAG", "cache_dir", "configure_pytensor"]
