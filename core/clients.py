"""The client's network address: read once per request, in one way, for limits and audit.

Behind a reverse proxy the connection comes from the proxy, and the client's address is in a
header the proxy appends to (X-Forwarded-For). A client can send that header too, with any
value, so it is read only when the deployment says how many proxies stand in front
(REGISTRY_PROXY_COUNT): each of them appended one address, so the client's is that many
places from the right. Everything the client itself put further left is ignored.
"""

import ipaddress
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest

_current: ContextVar[str | None] = ContextVar("client_address", default=None)


def client_address(request: HttpRequest) -> str:
    """The address of the client that sent the request (the connection's, or the trusted
    proxies' header's), or "" when none is known."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = settings.REGISTRY_PROXY_COUNT
    if count <= 0:
        return _valid(remote)
    header = "HTTP_" + settings.REGISTRY_CLIENT_IP_HEADER.upper().replace("-", "_")
    hops = [part.strip() for part in request.META.get(header, "").split(",") if part.strip()]
    if len(hops) < count:
        return _valid(remote)  # not through every proxy: take the connection's address
    return _valid(hops[-count]) or _valid(remote)


def _valid(value: str) -> str:
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return ""


def current_address() -> str | None:
    """The client address of the request being served (None outside a request: commands)."""
    return _current.get()


class ClientAddressMiddleware:
    """Keeps the client's address for the request, so that every audit event written while
    serving it records where it came from, whichever service writes it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current.set(client_address(request) or None)
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
