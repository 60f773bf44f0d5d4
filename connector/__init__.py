"""qbd-connector: the QuickBooks Desktop connector service, sync engine, API and agent."""
