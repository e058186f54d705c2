#!/usr/bin/python3
"""A Python client that makes its own TLS choices, as a real script would.

    tlsclient.py PORT [--sni NAME] [--min TLSv1_3] [--max TLSv1_2] [--ciphers LIST]

Python's _ssl module is dlopened RTLD_LOCAL, the case where the preload must find
libssl without RTLD_NEXT. Prints "connected VERSION CIPHER" or "handshake failed: ..."
and exits 0 or 1.
"""
import argparse
import socket
import ssl
import sys

args = argparse.ArgumentParser()
args.add_argument("port", type=int)
args.add_argument("--sni")
args.add_argument("--min")
args.add_argument("--max")
args.add_argument("--ciphers")
a = args.parse_args()

ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
if a.min:
    ctx.minimum_version = ssl.TLSVersion[a.min]
if a.max:
    ctx.maximum_version = ssl.TLSVersion[a.max]
if a.ciphers:
    ctx.set_ciphers(a.ciphers)
try:
    with socket.create_connection(("127.0.0.1", a.port), timeout=10) as sock:
        with ctx.wrap_socket(sock, server_hostname=a.sni) as s:
            print("connected", s.version(), s.cipher()[0])
except (ssl.SSLError, OSError) as e:
    print("handshake failed:", e)
    sys.exit(1)
