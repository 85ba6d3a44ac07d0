from django.urls import path

from . import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/ledger/", views.ledger_export, name="ledger_export"),
    path("definitions/", views.definitions, name="definitions"),
]
