"""The platform ring (平台): shared by every domain, and knowing nothing of any of them."""
