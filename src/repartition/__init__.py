"""repartition: route each household reported for rent arrears to exactly one social service."""

from .charter import Charter, load_charter
from .decision import Decision, ValidatedHousehold
from .errors import CharterError, InvalidHousehold, NoDecision, RepartitionError
from .resources import bundled_charter

__all__ = [
    "Charter",
    "CharterError",
    "Decision",
    "InvalidHousehold",
    "NoDecision",
    "RepartitionError",
    "ValidatedHousehold",
    "bundled_charter",
    "load_charter",
]
