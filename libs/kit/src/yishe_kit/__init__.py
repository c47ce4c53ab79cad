"""yishe kit: the mechanics every service shares (settings, logging, db, outbox/inbox, bus, relay, errors, health).

Mechanics only: nothing here knows a business rule or imports a service.
"""
