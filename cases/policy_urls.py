from django.urls import path

from . import policy_views

app_name = "sla_config"

urlpatterns = [
    path("", policy_views.policy_list, name="policies"),
    path("example/", policy_views.target_example, name="example"),
    path("<int:tier_pk>/", policy_views.policy_edit, name="policy"),
]
