"""HTTP adapter for the public portal, ``/api/public/v1``: no personal data, ever."""
