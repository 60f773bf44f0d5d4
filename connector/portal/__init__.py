"""The platform side's operations, shared by the REST API and the web pages.

The REST routes (``connector.api.routes_settings``, ``routes_links``, ``routes_sync_requests``)
and the portal and link-flow pages (``connector.api.portal``) call the same functions here;
neither calls the other over HTTP. Pure parts: ``branding`` and ``svg`` (what a logo and
branding may be), ``consent`` (the wording), ``links`` (whether a link may be used),
``status`` (a connection's status). ``operations`` is the shell over the store.
"""
