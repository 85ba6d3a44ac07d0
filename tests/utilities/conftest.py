from tests.jobs import worker  # noqa: F401  (a real RQ worker)
from tests.signs.test_selectors import world  # noqa: F401  (the hand-built data set)
