# Lets `scrapyd-deploy` build the egg from pyproject.toml; without it, it writes its own setup.py here.
from setuptools import setup

setup()
