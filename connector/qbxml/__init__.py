"""The qbXML layer: pure (no I/O, no clock); everything else speaks qbXML through it.

Modules (import from them directly; this package re-exports nothing):

- ``datatypes``: the data types we exchange and what QuickBooks allows on each;
- ``schema`` (+ ``schema_data/``): the content model of qbXML 13.0-16.0, generated from
  Intuit's XSDs by ``ci/gen_qbxml_tables.py``;
- ``filters``, ``build``, ``encode``, ``leaves``: typed query filters and the request
  builders, emitting schema-ordered, ISO-8859-1-checked qbXML;
- ``safexml``: the one safe door to the XML parser (no DTD, no entities, a size limit);
- ``parse``, ``parse_values``, ``values``: the streaming response parser and its values;
- ``status``: the one table classifying statusCodes and hresults;
- ``versions``: HostQuery's version list and the version both sides speak;
- ``errors``: every exception the package raises, in one tree.
"""
