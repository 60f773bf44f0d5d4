"""The Web Connector protocol, both ends.

``server/`` is the service QBWC calls (SOAP endpoint, session machine, authenticate,
lockout, the ``WorkSource`` seam to the sync engine); ``client/`` is the Web Connector's
side (the QBWC client our agent and the emulator run); ``qwc/`` is the QWC file both share.
``client`` and ``server`` never import each other; both may import ``qwc``.
"""
