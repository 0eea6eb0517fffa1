app_name = "operation"

urlpatterns: list[object] = []
