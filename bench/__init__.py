"""Benchmarks of reconciler against reference tools, measured side by side in one run.

Run from the repository root, with the project installed (``pip install -e '.[test]'``)::

    python -m bench all --size full      # or: plan | digest | upload | segments; --out DIR

Each benchmark prints its tables and targets and writes ``bench/results/<name>.json``;
``--size tiny`` runs in seconds (tests/bench/test_smoke.py does that). Results and the
machine they came from are recorded in bench/RESULTS.md.
"""
