from django.urls import path

from . import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/ledger.xlsx", views.ledger_export, name="ledger_export"),
    path("definitions/", views.definitions, name="definitions"),
]
