"""The 一社一码 profile: fan-out to the four services, an in-memory cache kept current from their events."""
