"""Edge behaviour of the front door: rate limits, payload size, the merged OpenAPI."""
