"""Typed readers for environment variables.

Every setting that comes from the environment goes through one of these helpers, so that a bad value
stops the process at start-up with a message naming the variable, instead of surfacing later as a
confusing error (or, worse, as a silently wrong default).
"""

from __future__ import annotations

import os


class ImproperEnvironment(Exception):
    """An environment variable holds a value that cannot be used."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperEnvironment(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperEnvironment(f"{name} must be a whole number; got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperEnvironment(f"{name} must be at least {minimum}; got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def derived_key(secret: str, purpose: str) -> str:
    """A Fernet-shaped key derived from another secret: for development and tests only (the deploy
    check warns when production runs on one)."""
    import base64
    import hashlib

    digest = hashlib.sha256(f"parley:{purpose}:{secret}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()
