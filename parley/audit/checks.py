"""A deployment check: behind a proxy, the client's address must be read from the proxy's header."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Warning, register


@register(deploy=True)
def client_address_behind_a_proxy(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    if settings.SECURE_PROXY_SSL_HEADER and not settings.TRUSTED_PROXY_COUNT:
        return [
            Warning(
                "TRUST_X_FORWARDED_PROTO is set but TRUSTED_PROXY_COUNT is not: every request seems to come "
                "from the proxy's address.",
                hint="Set TRUSTED_PROXY_COUNT to the number of proxies in front of Parley, so that the audit "
                "trail records the client's address and the sign-in lockout can pause one address.",
                id="parley.W001",
            )
        ]
    return []
