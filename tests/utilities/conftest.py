from tests.signs.test_selectors import world  # noqa: F401  (the hand-built data set)
