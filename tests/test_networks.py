"""The union of CIDRs that the EKS endpoint rule and the settings loader both judge."""

from __future__ import annotations

import ipaddress

from hypothesis import given
from hypothesis import strategies as st

from policies.rules.networks import MAX_PUBLIC_ADDRESSES, admitted, read_cidrs, too_open

SMALL_NETWORKS = st.builds(
    lambda start, prefix: ipaddress.ip_network(f"10.0.{start}.0/{prefix}", strict=False),
    st.integers(0, 15),
    st.integers(22, 28),
)


@given(st.lists(SMALL_NETWORKS, max_size=8))
def test_admitted_counts_every_address_of_the_union_once(networks):
    addresses = {address for network in networks for address in network}
    assert admitted(networks) == len(addresses)


@given(st.integers(1, 8))
def test_the_internet_cut_into_equal_pieces_is_still_the_internet(bits):
    pieces = [f"{ipaddress.IPv4Address(i << (32 - bits))}/{bits}" for i in range(2**bits)]
    assert too_open(read_cidrs(pieces)) == [("IPv4", 2**32, MAX_PUBLIC_ADDRESSES)]


def test_read_cidrs_sorts_families_and_keeps_what_is_not_a_cidr():
    read = read_cidrs(["203.0.113.0/24", "2001:db8::/32", "nope", "10.0.0.1/16"])
    assert [str(n) for n in read.ipv4] == ["203.0.113.0/24", "10.0.0.0/16"]
    assert [str(n) for n in read.ipv6] == ["2001:db8::/32"]
    assert read.invalid == ("nope",)
    assert too_open(read) == []
