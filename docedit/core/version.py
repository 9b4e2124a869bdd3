"""docedit's version, at the bottom of the layers so that every stage can record it."""

__version__ = "0.1.0"
