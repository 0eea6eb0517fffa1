"""The CKAN-compatible Action API (/api/3/action/ and /api/action/)."""

urlpatterns: list[object] = []
