"""`make bench`: docedit against the alternatives, measured in one process tree.

    python -m bench [--quick] [--only validate,mix,render,compare,same,payload] [--runs N]
                    [--final-runs N] [--ref REV]

Every figure comes from a child process measured by wait4 (wall, CPU, peak RSS), and
ratios only ever compare runs made by the same invocation: these machines are noisy.
Writes docs/benchmarks.md (tables) and docs/benchmarks.json (every number). The
sections live in bench/sections.py, bench/compare.py, bench/same.py and
bench/catalog_size.py; the command line in bench/cli.py, the report in bench/report.py.
"""

from bench.cli import main

if __name__ == "__main__":
    main()
