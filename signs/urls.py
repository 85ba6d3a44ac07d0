"""Each workflow's views module lists its own routes."""

from .views import book, history, imports, ledger_mapping, removals, town, village, wall

urlpatterns = [
    *town.urlpatterns,
    *village.urlpatterns,
    *removals.urlpatterns,
    *wall.urlpatterns,
    *history.urlpatterns,
    *imports.urlpatterns,
    *ledger_mapping.urlpatterns,
    *book.urlpatterns,
]
