"""HTTP adapters of the citizen channels other than the app (the Zalo OA webhook)."""
