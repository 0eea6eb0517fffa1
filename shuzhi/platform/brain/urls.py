app_name = "brain"

urlpatterns: list[object] = []
