from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("t/<str:code>/", views.TownView.as_view(), name="town"),
    path("v/<str:code>/", views.village_detail, name="village"),
    path("v/<str:code>/signs/new/", views.signboard_create, name="signboard_create"),
    path("v/<str:code>/removals/bulk/", views.removal_bulk, name="removal_bulk"),
    path("v/<str:code>/qr/", views.village_qr, name="village_qr"),
    path("v/<str:code>/qr.svg", views.village_qr_svg, name="village_qr_svg"),
    path("s/<int:pk>/", views.signboard_history, name="signboard_history"),
    path("s/<int:pk>/remove/", views.removal_create, name="removal_create"),
    path("r/<int:pk>/revoke/", views.removal_revoke, name="removal_revoke"),
]
