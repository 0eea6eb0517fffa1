"""The CKAN-compatible Action API (/api/3/action/ and /api/action/).

Included twice (both paths CKAN clients use), so no ``app_name``; the route is unnamed.
"""

from django.urls import path

from . import api

urlpatterns = [path("<str:name>", api.action)]
