"""The agent's errors. Every one carries a message for the user that says what to do.

AgentError
+-- ConfigError          bad input or an unreadable configuration (nothing was changed)
|   +-- UnknownCompany   no company of that name
|   +-- DuplicateCompany a company of that name exists
+-- CredentialError      the password store cannot be read or written
+-- AlreadyRunning       another agent runs for this user
+-- NotRunning           the command needs the running agent
+-- AgentUnreachable     the running agent did not answer its local API
"""

from __future__ import annotations


class AgentError(Exception):
    """Something the agent or one of its commands cannot do; the message says why."""


class ConfigError(AgentError):
    pass


class UnknownCompany(ConfigError):
    def __init__(self, name: str) -> None:
        super().__init__(f"no company named {name!r} (see `qbd-connector agent list`)")
        self.name = name


class DuplicateCompany(ConfigError):
    def __init__(self, name: str) -> None:
        super().__init__(f"a company named {name!r} exists: choose another with --name")
        self.name = name


class CredentialError(AgentError):
    pass


class AlreadyRunning(AgentError):
    def __init__(self, pid: int | None) -> None:
        who = f" (pid {pid})" if pid else ""
        super().__init__(f"an agent already runs for this user{who}; stop it first")
        self.pid = pid


class NotRunning(AgentError):
    pass


class AgentUnreachable(AgentError):
    pass
