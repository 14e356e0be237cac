"""Read models: work queues, citizen tracking, statistics, exports and the map rollups."""
