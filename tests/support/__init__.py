"""Helpers the tests share, one job per module; the fixtures built on them live in tests/conftest.py.

- `gradients`: random word tables, stacked parameters and window objectives for finite differences.
- `toy_course`: a tiny instructor course (notebooks and package) to release and grade.
- `leaks`: the scanner that finds a graded answer in released files.
- `release_runs`: executing a release's notebooks and filling its exercises with the solutions.
- `fault_runner`: a script that runs the command line with a kill injected (the seams' hooks).
- `training`: tiny corpora and tiny training runs.
- `toy_vectors`: word vectors with a planted structure, and run folders built from them.
- `grading`: a student's submission and the grader's sandbox.
- `messages`: `says`, the facts an error message must carry (for `pytest.raises(match=...)`).
- `browser`: headless Chromium, time budgets and local Jupyter servers for the browser tests.
"""
