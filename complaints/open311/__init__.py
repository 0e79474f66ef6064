"""Open311 GeoReport v2 (SPEC §6.2): complaint categories as services, complaints as service requests."""
