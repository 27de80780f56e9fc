"""The rules: one module a family, each function a rule declared with ``page_rule``/``site_rule``.

Rules are pure functions of the page model (``audits.model``); they decide.
Parsers and metrics they use (``audits.sitemap``, ``audits.readability``,
``audits.extract``) only record facts.
"""
