"""The items are the model: a crawl yields audits.model.Page and audits.model.Fetch as they are."""
from audits.model import Fetch, Page

__all__ = ["Fetch", "Page"]
