"""The suite's offline guard (tests/conftest.py) refuses a connection beyond this machine."""
import socket
import urllib.request

import pytest


def test_a_test_cannot_reach_beyond_loopback():
    with pytest.raises(AssertionError, match="tests stay offline"):
        urllib.request.urlopen("http://93.184.215.14/", timeout=1)  # an address, so no DNS is needed
    with socket.socket() as sock, pytest.raises(AssertionError, match="mark the test"):
        sock.connect_ex(("10.255.255.1", 80))


def test_loopback_stays_open():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        with socket.create_connection(sock.getsockname(), timeout=1):
            pass
