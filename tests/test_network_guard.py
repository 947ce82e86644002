"""The suite runs with the network cut off: the guard in conftest refuses non-loopback connections."""

import socket

import pytest


def test_guard_blocks_outside_addresses():
    with pytest.raises(OSError, match="network access attempted"):
        socket.create_connection(("192.0.2.1", 80), timeout=1)


def test_guard_allows_loopback():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.create_connection(server.getsockname(), timeout=1)
    client.close()
    server.close()
