"""IOC: smart-city operations centre with citizen feedback (phản ánh hiện trường)."""

__version__ = "0.1.0"
