"""Who is calling: user sign-in (JWT), system clients (AppKey + HMAC-SHA256), roles and jurisdictions."""
