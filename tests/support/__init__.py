"""Helpers shared by the test modules: ``from support.sites import ...``.

tests/ is on ``sys.path`` while pytest runs (the directory of tests/conftest.py),
so this package imports as ``support``. Test modules import from here, never
from conftest.py or from another test module; fixtures live in conftest.py.
"""
