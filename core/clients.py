"""The client's network address: read once per request, in one way, for limits and audit.

Behind a reverse proxy the connection comes from the proxy, and the client's address is in a
header the proxy appends to (X-Forwarded-For). A client can send that header too, with any
value, so it is read only when the deployment says how many proxies stand in front
(REGISTRY_PROXY_COUNT): each of them appended one address, so the client's is that many
places from the right. Everything the client itself put further left is ignored.

Limits on guessing (core.throttle) also count a client's neighbourhood: the /24 (IPv4) or /64
(IPv6) its address belongs to, since one subscriber or one rented server usually holds many
addresses of one such network, and an IPv6 /64 often belongs to a single machine.
"""

import ipaddress
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest

_current: ContextVar[str | None] = ContextVar("client_address", default=None)


def client_address(request: HttpRequest) -> str:
    """The address of the client that sent the request (the connection's, or the trusted
    proxies' header's), or "" when none is known."""
    return _client(request)[0]


def client_network(request: HttpRequest) -> str:
    """The network of the client's address, /24 for IPv4 and /64 for IPv6 (as "a.b.c.0/24"),
    or "" when the address is not known to be the client's own: unknown, or, with proxies
    configured, the connection's address of a request that did not come through all of them
    (the proxy's own address, whose neighbours are the deployment's machines, not clients')."""
    address, clients_own = _client(request)
    if not address or not clients_own:
        return ""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 64
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def _client(request: HttpRequest) -> tuple[str, bool]:
    # (address, whether it is the client's own: the connection's without proxies configured,
    # or the one the trusted proxies appended)
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = settings.REGISTRY_PROXY_COUNT
    if count <= 0:
        return _valid(remote), True
    header = "HTTP_" + settings.REGISTRY_CLIENT_IP_HEADER.upper().replace("-", "_")
    hops = [part.strip() for part in request.META.get(header, "").split(",") if part.strip()]
    if len(hops) < count:
        return _valid(remote), False  # not through every proxy: take the connection's address
    forwarded = _valid(hops[-count])
    return (forwarded, True) if forwarded else (_valid(remote), False)


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
