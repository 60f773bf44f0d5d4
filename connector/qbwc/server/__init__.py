"""The service's side of the Web Connector protocol: the SOAP endpoint and the sessions.

Inside, from the wire in: ``soap`` (the spyne application and its WSGI guard,
``soap_guard``) calls ``service`` (``QbwcService``: one method per web method; loads a
session, steps it, persists it, runs the WorkSource), which asks the pure deciders:
``session`` (the state machine, with ``session_events``), ``authenticate`` (authenticate's
answer), ``company_check`` (strHCPResponse against the bound company file) and ``lockout``
(wrong-password policy, applied by ``credentials``). ``work`` is the ``WorkSource`` seam the
sync engine implements; ``config`` the service's knobs; ``errors`` its exception tree.
Must not: import ``connector.qbwc.client``. This ``__init__`` imports nothing, so the sync
engine can import ``work`` without spyne.
"""
