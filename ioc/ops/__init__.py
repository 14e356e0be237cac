"""HTTP adapter for the operations centre (triage and supervision), ``/api/ops/v1``."""
