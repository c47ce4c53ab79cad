"""Needs → projects → resources (PLAT-6): communities' needs lists, project designs from them, the township's
resource list (supplier + undertaker) and the purchase projects that carry a design."""
