"""Events owned by the procurement service (政府购买服务). None are published yet; the stream exists."""
