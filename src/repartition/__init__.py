"""repartition: route each household reported for rent arrears to exactly one social service."""

from .charter import Charter, load_charter
from .decision import Decision, ValidatedHousehold
from .errors import CharterError, CharterNotProven, InvalidHousehold, NoDecision, RepartitionError
from .resources import bundled_charter

__all__ = [
    "Charter",
    "CharterError",
    "CharterNotProven",
    "Decision",
    "InvalidHousehold",
    "NoDecision",
    "RepartitionError",
    "ValidatedHousehold",
    "bundled_charter",
    "load_charter",
]
