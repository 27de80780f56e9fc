"""The crawl's own signal, beside Scrapy's.

``crawl_over(reason)``: the crawl has ended, however it ended. Scrapy sends
``spider_closed`` when the spider closes, but a hard stop (a second Ctrl-C, or
requests still hanging after the grace period) stops the reactor before that;
crawler/run.py sends ``crawl_over`` once the reactor has stopped, so the record
is finished and the extraction workers stop either way. Receivers listen to
both and do their one-time work once.
"""

crawl_over = object()
