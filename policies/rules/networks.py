"""How much of the internet a list of CIDRs admits: the union, not each entry.

`0.0.0.0/1` and `128.0.0.0/1` are harmless one at a time and the whole IPv4 internet together,
so the EKS rule and the settings loader both judge the union (`ipaddress.collapse_addresses`).
Pure and standard-library only: the settings loader imports it without loading the pack.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

IPv4Network = ipaddress.IPv4Network
IPv6Network = ipaddress.IPv6Network

MAX_PUBLIC_ADDRESSES = 2**24
"""Default largest union of public-endpoint CIDRs: 16,777,216 IPv4 addresses, a /8 (1/256 of the
IPv4 internet). A team's egress ranges are /32s to /16s; more than a /8 is a large part of the
internet, not a list of networks. On an IPv6 cluster the same share of the IPv6 space applies."""


@dataclass(frozen=True)
class Cidrs:
    """A list of CIDR strings, read: the networks of each family and the entries that are not CIDRs."""

    ipv4: tuple[IPv4Network, ...]
    ipv6: tuple[IPv6Network, ...]
    invalid: tuple[str, ...]


def read_cidrs(values: Iterable[object]) -> Cidrs:
    """Host bits are tolerated here (`10.0.0.1/8` admits 10.0.0.0/8); the settings loader is stricter."""
    ipv4: list[IPv4Network] = []
    ipv6: list[IPv6Network] = []
    invalid: list[str] = []
    for value in values:
        try:
            network = ipaddress.ip_network(str(value), strict=False)
        except ValueError:
            invalid.append(str(value))
            continue
        if isinstance(network, IPv4Network):
            ipv4.append(network)
        else:
            ipv6.append(network)
    return Cidrs(tuple(ipv4), tuple(ipv6), tuple(invalid))


def admitted(networks: Iterable[IPv4Network] | Iterable[IPv6Network]) -> int:
    """Addresses in the union of `networks` (one family), overlaps counted once."""
    union: Iterable[IPv4Network | IPv6Network] = ipaddress.collapse_addresses(networks)  # type: ignore[type-var, assignment]
    return sum(n.num_addresses for n in union)


def ipv6_limit(max_ipv4_addresses: int) -> int:
    """The IPv6 equivalent of an IPv4 limit: the same share of the address space."""
    return max_ipv4_addresses * 2**96


def too_open(cidrs: Cidrs, max_addresses: int = MAX_PUBLIC_ADDRESSES) -> list[tuple[str, int, int]]:
    """("IPv4" or "IPv6", admitted, limit) per family whose union admits more than its limit."""
    found = []
    if (count := admitted(cidrs.ipv4)) > max_addresses:
        found.append(("IPv4", count, max_addresses))
    if (count := admitted(cidrs.ipv6)) > ipv6_limit(max_addresses):
        found.append(("IPv6", count, ipv6_limit(max_addresses)))
    return found


def amount(count: int, family: str) -> str:
    """An address count as a message shows it: exact for IPv4, a power of two for IPv6."""
    return f"{count:,}" if family == "IPv4" else f"about 2^{count.bit_length() - 1}"
