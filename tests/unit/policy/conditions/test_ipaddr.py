"""IpAddress / NotIpAddress with IPv4 and IPv6."""

import pytest

CASES = [
    ("IpAddress", ["203.0.113.0/24"], "203.0.113.7", True),
    ("IpAddress", ["203.0.113.0/24"], "203.0.114.7", False),
    ("IpAddress", ["203.0.113.7"], "203.0.113.7", True),  # bare address = /32
    ("IpAddress", ["203.0.113.7/24"], "203.0.113.200", True),  # host bits ignored
    ("IpAddress", ["10.0.0.0/8", "192.168.0.0/16"], "192.168.3.4", True),
    ("IpAddress", ["2001:DB8:1234:5678::/64"], "2001:db8:1234:5678::1", True),
    ("IpAddress", ["2001:DB8:1234:5678::/64"], "2001:db8:1234:5679::1", False),
    ("IpAddress", ["0.0.0.0/0"], "2001:db8::1", False),  # v4 block never holds a v6 address
    ("IpAddress", ["10.0.0.0/8"], "::ffff:10.1.2.3", True),  # v4-mapped v6
    ("IpAddress", ["10.0.0.0/8"], "not-an-ip", False),
    ("NotIpAddress", ["10.0.0.0/8"], "11.0.0.1", True),
    ("NotIpAddress", ["10.0.0.0/8"], "10.0.0.1", False),
    ("NotIpAddress", ["10.0.0.0/8"], "garbage", True),
    # a block written in IPv4-mapped form is the IPv4 block: request addresses are unmapped, so a
    # mapped block kept as IPv6 could never match (a Deny on it would never fire)
    ("IpAddress", ["::ffff:203.0.113.0/120"], "203.0.113.5", True),
    ("IpAddress", ["::ffff:203.0.113.0/120"], "::ffff:203.0.113.5", True),
    ("IpAddress", ["::ffff:203.0.113.0/120"], "203.0.114.5", False),
    ("IpAddress", ["::ffff:cb00:7107"], "203.0.113.7", True),
    ("NotIpAddress", ["::ffff:203.0.113.0/120"], "::ffff:203.0.113.5", False),
    ("IpAddress", ["::/0"], "203.0.113.5", False),  # a wider IPv6 block is still IPv6 only
]


@pytest.mark.parametrize(("operator", "values", "value", "expected"), CASES)
def test_ip_operators(condition, operator, values, value, expected):
    assert condition(operator, "aws:SourceIp", values, {"aws:SourceIp": value}) is expected


def test_not_ip_address_absent_key(condition):
    assert condition("NotIpAddress", "aws:SourceIp", ["10.0.0.0/8"], {})
    assert not condition("IpAddress", "aws:SourceIp", ["10.0.0.0/8"], {})
