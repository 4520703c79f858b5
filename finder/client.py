"""The client's address, as the contact form's limits and the admin's lockout see it.

Behind a reverse proxy every connection comes from the proxy, and the visitor's
address is in X-Forwarded-For, where anyone can also write whatever they like. So
the header is read only when the connection comes from a trusted proxy
(settings.TRUSTED_PROXIES: networks, and a count of hops that are proxies whatever
their address), from the right, skipping the proxies, and the first address that is
not one of them is the client's.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

from trials import contact

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class TrustedProxies:
    networks: tuple[Network, ...] = ()
    count: int = 0  # the nearest `count` hops are proxies, whatever their address

    @classmethod
    def parse(cls, text: str) -> TrustedProxies:
        """'2', '10.0.0.0/8, 127.0.0.1' or both: a whole number is a count, the rest networks."""
        networks, count = [], 0
        for item in (part.strip() for part in text.split(",")):
            if not item:
                continue
            if item.isdigit():
                count = int(item)
                continue
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise ImproperlyConfigured(
                    f"TRIALFINDER_TRUSTED_PROXIES: {item!r} is neither a number of proxies "
                    "nor an address or network such as 10.0.0.0/8"
                ) from None
        return cls(tuple(networks), count)

    def trusts(self, hop: int, address: Address) -> bool:
        return hop < self.count or any(address in network for network in self.networks)


@cache
def _trusted(text: str) -> TrustedProxies:
    return TrustedProxies.parse(text)


def _address(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text.strip().split("%")[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def client_address(request: HttpRequest) -> Address | None:
    """The visitor's address, or None when the connection's own address is unreadable."""
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return None
    trusted = _trusted(settings.TRUSTED_PROXIES)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [str(remote), *(e for e in reversed(forwarded.split(",")) if e.strip())]
    client = remote
    for hop, text in enumerate(hops):
        address = _address(text)
        if address is None:
            # Not an address: the proxy before it is the last hop known to be real.
            return client
        client = address
        if not trusted.trusts(hop, address):
            return client
    return client


def client_ip(request: HttpRequest) -> str:
    """The visitor's address as text ('' when unknown): AXES_CLIENT_IP_CALLABLE too."""
    address = client_address(request)
    return str(address) if address is not None else ""


def sender(request: HttpRequest) -> contact.Sender:
    """The keys the contact form's limits count this visitor under."""
    address = client_address(request)
    if address is None:
        return contact.Sender()
    own, around = (64, 48) if address.version == 6 else (32, 24)
    return contact.Sender(
        client=contact.keyed(str(ipaddress.ip_network(f"{address}/{own}", strict=False))),
        network=contact.keyed(str(ipaddress.ip_network(f"{address}/{around}", strict=False))),
    )
