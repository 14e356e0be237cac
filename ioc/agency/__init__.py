"""HTTP adapter for agency staff (their inbox and handling), ``/api/agency/v1``."""
