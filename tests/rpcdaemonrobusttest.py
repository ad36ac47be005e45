#!/usr/bin/python3
"""Malformed RPC packets and silent connections at the real virtmigd.

Every packet of the corpus (tests/rpcdata/*.hex, the one rpcrobusttest
uses against the in-process server) is sent on its own connection to a
running virtmigd, with a libvirt client connected throughout.  Each must
get an error reply or a closed connection, never a crash or a hang; the
daemon keeps serving both the long-lived client and new ones.

Then a daemon configured with max_anonymous_clients = 2 and
anonymous_client_timeout = 2: two silent connections hold every
anonymous slot, so the stock client's connection waits until the
daemon drops them (after 2 s), then opens.
"""
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

BUILD = os.environ.get("VIRTMIG_BUILD_DIR", "build")
SRCDIR = os.environ.get("abs_srcdir", os.path.dirname(os.path.abspath(__file__)))
DAEMON = os.path.join(BUILD, "src", "virtmigd")
DEADLINE = 20


def load_hex(path):
    words = []
    for line in open(path):
        line = line.split("#", 1)[0].strip()
        words.extend(line.split())
    return bytes.fromhex("".join(words))


def send_packet(sock_path, data):
    """Sends @data; returns what came back before close or timeout."""
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(1)
        s.connect(sock_path)
        try:
            s.sendall(data)
            return s.recv(65536)
        except (socket.timeout, ConnectionResetError, BrokenPipeError):
            # closing the offending connection is an accepted answer
            return b""


def start_daemon(tmp, config=None):
    """The daemon on root @tmp and its socket, or None if it did not start."""
    args = [DAEMON, "--root", tmp]
    if config:
        path = os.path.join(tmp, "virtmigd.conf")
        with open(path, "w") as f:
            f.write(config)
        args += ["--config", path]
    proc = subprocess.Popen(args, stderr=open(os.path.join(tmp, "log"), "w"))
    sock = os.path.join(tmp, "run", "virtmigd-sock")
    end = time.monotonic() + DEADLINE
    while not os.path.exists(sock):
        if time.monotonic() > end or proc.poll() is not None:
            return proc, None
        time.sleep(0.05)
    return proc, sock


def stop_daemon(proc, tmp):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=DEADLINE)
    shutil.rmtree(tmp, ignore_errors=True)


def check_anonymous(libvirt):
    tmp = tempfile.mkdtemp(prefix="rpcdaemonanon-")
    proc, sock = start_daemon(tmp, "max_anonymous_clients = 2\n"
                                   "anonymous_client_timeout = 2\n")
    silent = []
    try:
        if not sock:
            print("FAIL: daemon with anonymous limits did not start")
            return 1
        start = time.monotonic()
        for _ in range(2):
            s = socket.socket(socket.AF_UNIX)
            s.connect(sock)
            silent.append(s)
        conn = libvirt.open("qemu+unix:///system?socket=" + sock)
        waited = time.monotonic() - start
        if conn.getType() != "QEMU" or waited < 1.5:
            print("FAIL: opened after %.1f s, before the silent clients went" % waited)
            return 1
        for s in silent:
            s.settimeout(DEADLINE)
            if s.recv(16) != b"":
                print("FAIL: a silent client got data")
                return 1
        conn.close()
        print("ok: silent clients dropped, the next client opened after %.1f s" % waited)
        return 0
    finally:
        for s in silent:
            s.close()
        stop_daemon(proc, tmp)


def main():
    import libvirt

    libvirt.registerErrorHandler(lambda opaque, err: None, None)
    tmp = tempfile.mkdtemp(prefix="rpcdaemonrobust-")
    proc, sock = start_daemon(tmp)
    try:
        if not sock:
            print("FAIL: daemon did not start")
            return 1
        uri = "qemu+unix:///system?socket=" + sock
        steady = libvirt.open(uri)
        corpus = sorted(glob.glob(os.path.join(SRCDIR, "rpcdata", "*.hex")))
        if len(corpus) < 20:
            print("FAIL: corpus too small")
            return 1
        for path in corpus:
            send_packet(sock, load_hex(path))
            if proc.poll() is not None:
                print("FAIL: daemon died on %s" % os.path.basename(path))
                return 1
        # the long-lived client and a new one still work
        if steady.getType() != "QEMU" or steady.listAllDomains() != []:
            print("FAIL: the steady client no longer works")
            return 1
        fresh = libvirt.open(uri)
        if fresh.getHostname() != steady.getHostname():
            print("FAIL: a new client does not work")
            return 1
        fresh.close()
        steady.close()
        print("ok: %d malformed packets, daemon still serving" % len(corpus))
    finally:
        stop_daemon(proc, tmp)
    return check_anonymous(libvirt)


if __name__ == "__main__":
    sys.exit(main())
