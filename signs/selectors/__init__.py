"""The reads of signs, one module per subject; every figure of docs/definitions.md is
computed here once, and the dashboard, the 台账 and the tests call these same functions.

The package's public names are re-exported here, so callers write `selectors.town_progress`."""

from ..models import end_of_day
from .book import Book, BookCoverage, book_coverage, books
from .charts import (
    MonthlyRemoved,
    data_version,
    month_ends,
    removed_by_kind,
    removed_by_month,
    yuan_to_wan,
)
from .figures import (
    STILL_UP,
    TALLIED,
    Progress,
    VillageRow,
    city_progress,
    flagged_removals,
    latest_removal_year,
    progress_percent,
    removals_in_effect,
    sign_rows_at,
    signboards_at,
    still_to_remove,
    town_progress,
    uses_dated_tallies,
    uses_tallies,
    village_checklist,
    village_figures,
    village_progress,
    village_rows_at,
)
from .history import signboard_history, town_activity, village_history
from .inventory import (
    editable_removals,
    editable_signboards,
    is_removed,
    room_suggestions,
    village_signs,
    visible_signboards,
)
from .standard import current_standard, item_kind_order, standard_counts, standard_items

__all__ = [
    "end_of_day",
    "Book",
    "BookCoverage",
    "MonthlyRemoved",
    "book_coverage",
    "books",
    "Progress",
    "STILL_UP",
    "TALLIED",
    "VillageRow",
    "city_progress",
    "current_standard",
    "data_version",
    "editable_removals",
    "editable_signboards",
    "flagged_removals",
    "is_removed",
    "item_kind_order",
    "latest_removal_year",
    "month_ends",
    "progress_percent",
    "removals_in_effect",
    "removed_by_kind",
    "removed_by_month",
    "room_suggestions",
    "sign_rows_at",
    "signboard_history",
    "signboards_at",
    "standard_counts",
    "standard_items",
    "still_to_remove",
    "town_activity",
    "town_progress",
    "uses_dated_tallies",
    "uses_tallies",
    "village_checklist",
    "village_figures",
    "village_history",
    "village_progress",
    "village_rows_at",
    "village_signs",
    "visible_signboards",
    "yuan_to_wan",
]
