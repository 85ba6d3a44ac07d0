"""The bottom floor: web plumbing every app uses and none owns.

Form base classes and widgets, the 台账 sheet writer and safe cells, one-time form tokens and
the one way a view runs a service from a form, the media view. Nothing here knows townships,
signs or supervision; every app may import it, it imports none of them.
"""
