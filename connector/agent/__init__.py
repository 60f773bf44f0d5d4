"""The desktop agent: a QBWC client that runs in the background on the QuickBooks PC.

It speaks the same QBWC protocol to the same ``/qbwc`` endpoint as Intuit's Web Connector
(``connector.qbwc.client``) and reaches QuickBooks through a ``RequestProcessor`` (COM on
Windows, the emulator's fake QuickBooks or a cassette elsewhere).

Inside, pure first: ``config`` (the companies and their settings), ``state`` (what each
company's last run did), ``schedule`` (when each runs next), ``advice`` (what a failure means
and what the user can do); then the shell: ``paths``, ``credentials`` (passwords), ``lock``
(one agent per user), ``session`` (one update of one company), ``daemon`` (the scheduler and
its threads), ``localapi`` + ``ui`` (the local web UI and the commands' API), ``control``
(what the ``agent`` commands do), ``tray``, ``autostart`` and ``update`` (self-update).
Must not: import ``qbd_emulator`` (processors come through ``connector.processors.registry``)
or the service's packages (the agent knows the service only by its SOAP endpoint).
"""
