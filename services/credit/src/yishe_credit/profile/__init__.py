"""Credit profiles: opened at registration, carrying the 分色监管 colour (CODE-3) and its history."""
