"""The lab: a moto-mocked AWS whose KMS decides like AWS (knows nothing of widgets)."""

from ..engine import DEFAULT_REGION
from .lab import DEFAULT_ACCOUNT, Lab, LabError
from .outcome import Outcome

__all__ = ["DEFAULT_ACCOUNT", "DEFAULT_REGION", "Lab", "LabError", "Outcome"]
