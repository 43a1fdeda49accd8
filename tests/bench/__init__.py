"""`make bench`: figures measured in one run on this machine, printed with their ratios."""
