app_name = "loop"

urlpatterns: list[object] = []
