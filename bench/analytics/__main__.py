"""`python -m bench.analytics`: the analytics benchmark alone."""

from bench.analytics import main

main()
