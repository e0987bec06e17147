#!/usr/bin/env python3
"""udp-segment.py - an application that sends UDP with UDP_SEGMENT (one send
of up to 64 KiB leaves as datagrams of GSO bytes each), and its receiver,
for tests/lab-uso.sh and tests/bench/bench-uso.

    udp-segment.py recv ADDR PORT OUT|- TIMEOUT
    udp-segment.py send ADDR PORT IN|- GSO CHUNK WINDOW SECS

Data goes to PORT, control to PORT + 1 in both directions: the receiver
acknowledges what it read (the byte count so far) after every burst, the sender says it
is done with an 'E' there. The sender keeps at most WINDOW chunks
unacknowledged; with IN a file it sends the file and fails if an
acknowledgement takes over 2 s (a datagram was lost), with IN '-' it sends
zeros for SECS seconds and waits at most 50 ms for one (a loss costs a
pause, not the run). The receiver reads with UDP_GRO (what the kernel glued
together arrives in one read), writes what arrived in order to OUT, and
prints 'bytes SECONDS MBITS' (first to last data byte).
"""
import os
import select
import socket
import sys
import time

UDP_SEGMENT = 103
UDP_GRO = 104
SO_RCVBUFFORCE = 33


def recv(addr, port, out, timeout):
    data = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    data.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 16 << 20)
    data.setsockopt(socket.SOL_UDP, UDP_GRO, 1)
    data.bind((addr, port))
    ctl = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    ctl.bind((addr, port + 1))
    sink = open(out, "wb") if out != "-" else None
    total, acked, first, last, peer = 0, 0, None, None, None
    deadline = time.monotonic() + timeout
    done = False
    while not done and time.monotonic() < deadline:
        ready, _, _ = select.select([data, ctl], [], [], 0.5)
        if ctl in ready:
            msg, peer = ctl.recvfrom(64)
            if msg[:1] == b"E":
                done = True
            elif msg[:1] == b"C":  # the sender's hello, before any data
                ctl.sendto(b"C", peer)
        while data in ready:
            try:
                buf = data.recv(1 << 16, socket.MSG_DONTWAIT)
            except BlockingIOError:
                break
            now = time.monotonic()
            first = first if first is not None else now
            last = now
            total += len(buf)
            if sink:
                sink.write(buf)
        if peer and total > acked:  # once per burst read
            acked = total
            ctl.sendto(b"A%d" % total, peer)
    if sink:
        sink.close()
    secs = (last - first) if first is not None and last > first else 0.0
    print("%d %.3f %.1f" % (total, secs, total * 8 / secs / 1e6 if secs else 0.0))
    return 0 if done else 1


def send(addr, port, src, gso, chunk, window, secs):
    data = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    data.setsockopt(socket.SOL_UDP, UDP_SEGMENT, gso)
    data.connect((addr, port))
    ctl = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    ctl.connect((addr, port + 1))
    ctl.settimeout(0.2)
    for _ in range(50):  # the receiver learns our address
        ctl.send(b"C")
        try:
            if ctl.recv(64)[:1] == b"C":
                break
        except socket.timeout:
            pass
    else:
        print("receiver did not answer on port %d" % (port + 1), file=sys.stderr)
        return 1
    blob = open(src, "rb").read() if src != "-" else None
    zeros = bytes(chunk)
    sent, acked, stalls = 0, 0, 0
    wait = 2.0 if blob is not None else 0.05
    end = time.monotonic() + secs
    while (sent < len(blob)) if blob is not None else (time.monotonic() < end):
        if sent - acked >= window * chunk:
            ctl.settimeout(wait)
            try:
                msg = ctl.recv(64)
                if msg[:1] == b"A":
                    acked = max(acked, int(msg[1:]))
            except socket.timeout:
                if blob is not None:
                    print("no acknowledgement within 2 s: %d of %d bytes sent, %d acknowledged"
                          % (sent, len(blob), acked), file=sys.stderr)
                    return 1
                stalls += 1
                acked = sent - (window - 1) * chunk
            continue
        piece = blob[sent:sent + chunk] if blob is not None else zeros
        try:
            data.send(piece)
        except OSError as e:  # ENOBUFS: the device queue is full
            time.sleep(0.001)
            stalls += 1
            if stalls > 100000:
                print("send: %s" % e, file=sys.stderr)
                return 1
            continue
        sent += len(piece)
    if blob is not None:  # every byte acknowledged before we say done
        ctl.settimeout(2.0)
        try:
            while acked < sent:
                msg = ctl.recv(64)
                if msg[:1] == b"A":
                    acked = max(acked, int(msg[1:]))
        except socket.timeout:
            print("the last bytes were not acknowledged: %d of %d" % (acked, sent), file=sys.stderr)
            return 1
    for _ in range(5):
        try:
            ctl.send(b"E")
        except OSError:  # the receiver is gone: it had the first one
            break
    print("sent %d stalls %d" % (sent, stalls))
    return 0


def main(argv):
    if len(argv) == 6 and argv[1] == "recv":
        return recv(argv[2], int(argv[3]), argv[4], float(argv[5]))
    if len(argv) == 9 and argv[1] == "send":
        return send(argv[2], int(argv[3]), argv[4], int(argv[5]), int(argv[6]), int(argv[7]), float(argv[8]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
