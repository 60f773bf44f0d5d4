"""qbd-emulator command groups."""
