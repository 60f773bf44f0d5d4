"""qbd-connector: the QuickBooks Desktop connector service, sync engine, API and agent."""

from connector import spyne_compat

# Before anything can import spyne (service, CLI, spawned workers, a packaged executable):
# spyne 2.14's vendored six needs it on Python 3.12+ (see connector/spyne_compat.py).
spyne_compat.install()
