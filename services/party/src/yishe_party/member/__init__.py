"""Party members of an organisation: capture, status (正式/预备), transfers in and out, with history."""
