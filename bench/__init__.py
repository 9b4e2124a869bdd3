"""`make bench`: docedit measured against baselines run in the same process tree."""
