"""Administrative units as dated versions.

A unit is identified by its code *and* its validity period, never by code alone: after the
1 July 2025 reform codes were reused with different meanings (``01558`` was Thanh Nhật town, urban,
and became Lý Quốc commune, rural). Every household event carries the unit as it was on the event
date, so this module answers "which unit did code X mean on date D?" and "what has the unit named
on date D become by date E?".

One module per idea: :mod:`.model` (a unit version and its flag periods), :mod:`.parsing` (the
data, checked field by field), :mod:`.catalogue` (the validated catalogue and its queries; its
:func:`load_units` reads the packaged ``domain/data/units.json``, the only I/O).
"""

from domain.units.catalogue import UnitCatalogue, load_units
from domain.units.model import (
    AREA_TYPES,
    KINDS_BY_LEVEL,
    LEVELS,
    Unit,
    UnitDataError,
    UnitFlags,
    UnknownUnitError,
)

__all__ = [
    "AREA_TYPES",
    "KINDS_BY_LEVEL",
    "LEVELS",
    "Unit",
    "UnitCatalogue",
    "UnitDataError",
    "UnitFlags",
    "UnknownUnitError",
    "load_units",
]
