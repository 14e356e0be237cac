"""Everything that leaves the system or enters it from other systems: push notifications,
webhooks and Open311 clients, delivered at least once from the outbox."""
