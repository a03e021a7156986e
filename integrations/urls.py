from django.urls import path

from . import views

app_name = "integrations"

urlpatterns = [
    path("", views.index, name="index"),
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<uuid:uid>/revoke/", views.token_revoke, name="token-revoke"),
    path("services/new/", views.service_token_new, name="service-new"),
    path("webhooks/new/", views.endpoint_new, name="endpoint-new"),
    path("webhooks/<int:pk>/", views.endpoint_detail, name="endpoint"),
    path("webhooks/<int:pk>/change/", views.endpoint_change, name="endpoint-change"),
    path("webhooks/<int:pk>/<str:action>/", views.endpoint_action, name="endpoint-action"),
    path("deliveries/<int:pk>/", views.message_detail, name="message"),
    path("deliveries/<int:pk>/<str:action>/", views.message_action, name="message-action"),
]
