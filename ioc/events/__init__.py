"""The event log: domain events numbered by a global ``seq``, their audiences, and the
outbox claim that hands committed events to the publishers."""
