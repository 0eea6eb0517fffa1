"""The web shell (门户外壳): layout, navigation, home page, error pages and static assets."""
