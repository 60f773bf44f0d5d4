"""Generated Web Connector passwords: random, long enough, and safe on a command line."""

from __future__ import annotations

from connector.secrets import new_password


def test_passwords_never_start_like_a_command_line_option() -> None:
    passwords = {new_password() for _ in range(2000)}
    assert len(passwords) == 2000  # 128 random bits: no repeats
    assert all(p[0].isalnum() for p in passwords)
    assert all(len(p) == 22 for p in passwords)
