"""Where an outbound webhook may go: public addresses only, checked when saved and again at every delivery.

The host is resolved once per delivery, every address it resolves to is checked, and the request connects to the
checked address itself (never resolving again), so a name that changes its answer in between (DNS rebinding)
reaches nothing new. `OUTBOUND_WEBHOOKS_ALLOW_PRIVATE` lifts the check, for tests and the local demo.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressRefused(ValueError):
    """The URL may not be delivered to; the message says why (in English, for the delivery log)."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as written in the URL (for the Host header and the certificate)
    port: int
    path: str  # with the query
    address: str  # the checked IP address to connect to


def resolve(host: str, port: int) -> list[str]:
    """The addresses a host name stands for (the edge of the world: tests replace it)."""
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)})


def is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        # An IPv4 address wrapped in IPv6 (mapped, or 6to4) is judged as the IPv4 address it reaches.
        address = address.ipv4_mapped or address.sixtofour or address
    return address.is_global and not (
        address.is_multicast or address.is_reserved or address.is_link_local or address.is_unspecified
    )


def target_for(url: str) -> Target:
    """The URL's parts and the one address to connect to; raises AddressRefused for anything but a public one."""
    allow_private = settings.OUTBOUND_WEBHOOKS_ALLOW_PRIVATE
    parts = urlsplit(url)
    if parts.scheme != "https" and not (allow_private and parts.scheme == "http"):
        raise AddressRefused("only https URLs are allowed")
    if parts.username or parts.password:
        raise AddressRefused("a URL with a user name or password is not allowed")
    host = parts.hostname or ""
    if not host:
        raise AddressRefused("the URL has no host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise AddressRefused("the URL's port is not a number from 1 to 65535") from exc
    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [str(literal)]
    else:
        try:
            addresses = resolve(host, port)
        except (OSError, UnicodeError) as exc:
            raise AddressRefused(f"the host {host} could not be resolved") from exc
        if not addresses:
            raise AddressRefused(f"the host {host} could not be resolved")
    if not allow_private:
        for address in addresses:
            if not is_public(ipaddress.ip_address(address.split("%", 1)[0])):
                raise AddressRefused(f"{host} resolves to {address}, which is not a public address")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(scheme=parts.scheme, host=host, port=port, path=path, address=addresses[0])
