"""What crosses a yishe service boundary: the event envelope, event payloads, subjects and identifiers."""
