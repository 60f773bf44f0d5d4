"""qbd_emulator: a fake QuickBooks Desktop and Web Connector for tests, CI and demos."""
