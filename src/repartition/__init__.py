"""repartition: route each household reported for rent arrears to exactly one social service."""

from typing import TYPE_CHECKING

from ._lazy import exports

if TYPE_CHECKING:  # pragma: no cover - what the lazy names below are, for type checkers
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

# Imported on first use: `import repartition` (and the command line's start) stays cheap.
__getattr__, __dir__ = exports(globals(), {
    "Charter": ".charter", "load_charter": ".charter",
    "Decision": ".decision", "ValidatedHousehold": ".decision",
    "CharterError": ".errors", "CharterNotProven": ".errors", "InvalidHousehold": ".errors",
    "NoDecision": ".errors", "RepartitionError": ".errors",
    "bundled_charter": ".resources",
})
