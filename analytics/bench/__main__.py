"""`python -m analytics.bench`: the analytics benchmark alone."""

from analytics.bench import main

main()
