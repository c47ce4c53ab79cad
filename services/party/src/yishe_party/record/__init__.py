"""Party-building records: opened at registration with the member-capture task and the formation route."""
