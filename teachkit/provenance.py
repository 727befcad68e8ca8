"""The former home of :mod:`teachkit.checks.provenance`, kept so that existing code keeps working."""

from teachkit.checks.provenance import LOGP_NAMES, check_posterior, is_posterior_data, logp_mismatch

__all__ = ["LOGP_NAMES", "check_posterior", "is_posterior_data", "logp_mismatch"]
