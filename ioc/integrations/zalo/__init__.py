"""The Zalo Official Account channel: signed webhooks in, a short conversation per Zalo user
that files a report through the app's intake, and messages back through the OA message API."""
