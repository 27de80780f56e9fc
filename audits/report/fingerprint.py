"""The finding fingerprint the renderers publish (SARIF partialFingerprints, JSON, CSV).

There is one implementation, in audits.baseline, so a baseline file and a
code-scanning upload always agree on which findings are the same problem.
"""
from __future__ import annotations

from audits.baseline import VERSION, fingerprint, key_of

__all__ = ["VERSION", "fingerprint", "key_of"]
