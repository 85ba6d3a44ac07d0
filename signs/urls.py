from django.urls import path

from . import import_views, views, wall_views

urlpatterns = [
    path("", views.home, name="home"),
    path("t/<str:code>/", views.TownView.as_view(), name="town"),
    path("t/<str:code>/activity/", views.TownActivityView.as_view(), name="town_activity"),
    path("v/<str:code>/", views.village_detail, name="village"),
    path("v/<str:code>/history/", views.village_history, name="village_history"),
    path("v/<str:code>/signs/new/", views.signboard_create, name="signboard_create"),
    path("v/<str:code>/read/", wall_views.wall_read, name="wall_read"),
    path("v/<str:code>/read/<uuid:token>/", wall_views.wall_review, name="wall_review"),
    path(
        "v/<str:code>/read/<uuid:token>/<int:index>.jpg",
        wall_views.wall_photo,
        name="wall_photo",
    ),
    path("v/<str:code>/removals/bulk/", views.removal_bulk, name="removal_bulk"),
    path("v/<str:code>/qr/", views.village_qr, name="village_qr"),
    path("v/<str:code>/qr.svg", views.village_qr_svg, name="village_qr_svg"),
    path("s/<int:pk>/", views.signboard_history, name="signboard_history"),
    path("s/<int:pk>/remove/", views.removal_create, name="removal_create"),
    path("r/<int:pk>/revoke/", views.removal_revoke, name="removal_revoke"),
    path("t/<str:code>/import/", import_views.sign_import, name="sign_import"),
    path(
        "t/<str:code>/import/template.xlsx",
        import_views.sign_import_template,
        name="sign_import_template",
    ),
    path(
        "t/<str:code>/import/<uuid:token>/",
        import_views.sign_import_preview,
        name="sign_import_preview",
    ),
    path("import/villages/", import_views.village_import, name="village_import"),
    path(
        "import/villages/template.xlsx",
        import_views.village_import_template,
        name="village_import_template",
    ),
    path(
        "import/villages/<uuid:token>/",
        import_views.village_import_preview,
        name="village_import_preview",
    ),
]
