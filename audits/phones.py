"""Phone-number consistency (NAP): phone-mismatch and phone-format (rules added by the content-audit work)."""
from __future__ import annotations

from dataclasses import dataclass

from audits.registry import options


@options("phone")
@dataclass(frozen=True)
class PhoneOptions:  # [audits.phone]
    allow: tuple[str, ...] = ()  # other numbers that may appear (call tracking), in any format
