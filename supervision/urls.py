"""Each workflow's views module lists its own routes, so the four can change independently."""

from .views import assessment, home, review, visits, worklists

urlpatterns = [
    *home.urlpatterns,
    *review.urlpatterns,
    *worklists.urlpatterns,
    *visits.urlpatterns,
    *assessment.urlpatterns,
]
