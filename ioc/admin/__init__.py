"""HTTP adapter for administrators, ``/api/admin/v1``."""
