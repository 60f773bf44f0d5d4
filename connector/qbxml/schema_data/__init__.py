"""Generated qbXML content-model tables (see ci/gen_qbxml_tables.py); data only."""
