from django.urls import path

from . import renewal_views, views

app_name = "renewals"

urlpatterns = [
    path("", renewal_views.renewals, name="list"),
    path("export.csv", renewal_views.renewals_export, name="export"),
    path("contracts/<int:pk>/", renewal_views.renewal_contract, name="contract"),
    path("contracts/<int:pk>/renew/", renewal_views.renewal_renew, name="renew"),
    path("contracts/<int:pk>/terms/", renewal_views.renewal_terms, name="terms"),
    path("accounts/<slug:slug>/notices/", views.renewal_notices, name="notices"),
]
