"""What to exchange with QuickBooks, session by session: the sync engine.

Modules: ``plan`` (pure: data types, order, policy, next query; the "adding a data type"
checklist), ``cursors`` (pure: how a data type's cursor moves), ``requests`` (a query spec
rendered as qbXML), ``upsert`` (one response's records into the store), ``pages`` (one
response into its run: records, counts, cursor, notes), ``behind`` (pages applied behind the
Web Connector: the inbox and the appliers), ``progress`` (the Web Connector's percentage),
``history`` (run summaries), ``manual`` (a manual sync's plan), ``normalise`` (the REST API's
record form) and ``engine`` (``SyncEngine``, the ``connector.qbwc.server.work.WorkSource``
the SOAP service calls).
"""
