"""kmslab's benchmarks: `make bench` runs them, `make bench-check` compares them with the budget.

Not part of the package and not tests: nothing here asserts a time.
"""
