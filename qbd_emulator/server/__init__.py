"""The emulator server (``qbd-emulator serve``): fake companies and Web Connector runs over HTTP.

Modules: ``state`` (what the server holds), ``app`` (the FastAPI routes, ``create_app``).
"""
