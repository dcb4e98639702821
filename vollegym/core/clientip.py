"""Who is on the other end of a request: the client's address, read through the proxies we were told to trust.

Behind a load balancer every request comes from the balancer's address, so a per-address limit (the intake, the
sign-in lockout) would be one limit for everybody. The balancer appends the address it saw to X-Forwarded-For;
anything to the left of that may have been typed by the client. So the header is read only when the request
comes from a trusted proxy (the TRUSTED_PROXIES setting: addresses or networks), and then from the right: the
first address that is not itself a trusted proxy is the client.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def proxy_networks(values: Sequence[str]) -> tuple[Network, ...]:
    """The networks of TRUSTED_PROXIES ('10.0.0.7', '10.0.0.0/8', '2001:db8::/32'); ValueError names a bad one."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ValueError(f"{value!r} is not an IP address or network") from None
    return tuple(networks)


@lru_cache(maxsize=8)
def _trusted(values: tuple[str, ...]) -> tuple[Network, ...]:
    return proxy_networks(values)


def _address(value: str) -> Address | None:
    """An address as a proxy may write it: bare, or with a port ('203.0.113.7:51234', '[2001:db8::1]:443')."""
    value = value.strip()
    if value.startswith("[") and "]" in value:
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _is_trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in networks)


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, unless that is a trusted proxy, which then says who it served."""
    remote = str(request.META.get("REMOTE_ADDR") or "")
    networks = _trusted(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    peer = _address(remote)
    if not networks or peer is None or not _is_trusted(peer, networks):
        return remote
    client = peer
    for hop in reversed(str(request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",")):
        found = _address(hop)
        if found is None:
            break  # a trusted proxy would not write this: stop at the last address we can vouch for
        client = found
        if not _is_trusted(found, networks):
            break
    return str(client)
