"""HTTP adapter for the citizens' mobile app, mounted at ``/api/mobile/v1``."""
