"""(filled in by this workflow)"""

urlpatterns: list = []
