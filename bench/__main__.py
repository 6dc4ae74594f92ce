"""`python -m bench` (what `make bench` runs): every benchmark in turn."""

import sys

from bench.run import main

main(sys.argv[1:])
