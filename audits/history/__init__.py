"""Run history: what each crawl found, stored as changes, and what changed between runs.

``facts`` turns a finished Report into a RunSnapshot (findings, page facts, link
outcomes); ``store`` keeps snapshots in a database (SQLAlchemy Core; SQLite by
default); ``diff`` compares two snapshots; ``views`` renders history and diffs.
"""
