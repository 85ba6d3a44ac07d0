"""Each workflow's views module lists its own routes, so the four can change independently."""

from .views import assessment, review, visits, worklists

urlpatterns = [
    *review.urlpatterns,
    *worklists.urlpatterns,
    *visits.urlpatterns,
    *assessment.urlpatterns,
]
