from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("", views.review_list, name="reviews"),
    path("<int:pk>/", views.review_detail, name="review"),
    path("<int:pk>/report/", views.review_report, name="report"),
    path("<int:pk>/<str:action>/", views.review_action, name="review-action"),
    path("releases/", views.release_list, name="releases"),
    path("releases/new/", views.release_create, name="release-create"),
    path("releases/<int:pk>/", views.release_detail, name="release"),
    path("releases/<int:pk>/<str:action>/", views.release_action, name="release-action"),
    path("previews/", views.preview_list, name="previews"),
    path("previews/plan/<int:release_pk>/<slug:account>/", views.preview_plan, name="preview-plan"),
    path("previews/modules/<slug:account>/", views.account_modules, name="account-modules"),
    path("previews/<int:pk>/", views.preview_detail, name="preview"),
    path("previews/<int:pk>/<str:action>/", views.preview_action, name="preview-action"),
]
