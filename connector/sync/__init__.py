"""What to exchange with QuickBooks, session by session: the sync engine.

Modules: ``plan`` (pure: data types, order, policy, next query), ``cursors`` (pure: how a
data type's cursor moves), ``requests`` (a query spec rendered as qbXML), ``apply`` (one
response into the store), ``progress`` (the Web Connector's percentage), ``history`` (run
summaries), ``normalise`` (the REST API's record form) and ``engine`` (``SyncEngine``, the
``connector.qbwc.server.work.WorkSource`` the SOAP service calls).
"""
