#!/usr/bin/env python3
"""Extract the BGP byte streams of one session from a pcap.

usage: pcap2bgp.py CAPTURE.pcap ADDR_A OUT_A OUT_B

Writes the octets ADDR_A sent on TCP port 179 to OUT_A and the octets its
peer sent to OUT_B, reassembled by sequence number (retransmissions and
reordering handled). When the capture holds several connections, the last
one that carried data is used. Classic libpcap files, Ethernet or Linux
cooked (SLL) link types, IPv4 and IPv6.
"""
import ipaddress
import struct
import sys


def packets(path):
    with open(path, "rb") as f:
        head = f.read(24)
        magic = struct.unpack("<I", head[:4])[0]
        endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
        linktype = struct.unpack(endian + "I", head[20:24])[0]
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                return
            _, _, caplen, _ = struct.unpack(endian + "IIII", rec)
            yield linktype, f.read(caplen)


def ip_payload(linktype, frame):
    if linktype == 1:  # Ethernet
        ethertype, off = struct.unpack("!H", frame[12:14])[0], 14
        while ethertype == 0x8100:
            ethertype, off = struct.unpack("!H", frame[off + 2:off + 4])[0], off + 4
    elif linktype == 113:  # Linux cooked
        ethertype, off = struct.unpack("!H", frame[14:16])[0], 16
    else:
        raise SystemExit(f"unsupported link type {linktype}")
    data = frame[off:]
    if ethertype == 0x0800 and data and data[9] == 6:
        ihl = (data[0] & 15) * 4
        total = struct.unpack("!H", data[2:4])[0]
        return ipaddress.ip_address(data[12:16]), ipaddress.ip_address(data[16:20]), data[ihl:total]
    if ethertype == 0x86DD and len(data) > 40 and data[6] == 6:
        plen = struct.unpack("!H", data[4:6])[0]
        return ipaddress.ip_address(data[8:24]), ipaddress.ip_address(data[24:40]), data[40:40 + plen]
    return None


def main():
    path, addr_a, out_a, out_b = sys.argv[1:5]
    addr_a = ipaddress.ip_address(addr_a)
    conns = {}  # (a_port, b_port) -> {direction: {seq: bytes}, "isn": {...}}
    order = []
    for linktype, frame in packets(path):
        p = ip_payload(linktype, frame)
        if not p:
            continue
        src, dst, tcp = p
        sport, dport, seq = struct.unpack("!HHI", tcp[:8])
        if 179 not in (sport, dport):
            continue
        flags = tcp[13]
        payload = tcp[(tcp[12] >> 4) * 4:]
        if src == addr_a:
            key, direction = (sport, dport), "a"
        elif dst == addr_a:
            key, direction = (dport, sport), "b"
        else:
            continue
        c = conns.setdefault(key, {"a": {}, "b": {}, "isn": {}})
        if key not in order:
            order.append(key)
        if flags & 0x02:  # SYN
            c["isn"][direction] = (seq + 1) & 0xFFFFFFFF
        if payload:
            c[direction].setdefault(seq, payload)
    used = [k for k in order if conns[k]["a"] or conns[k]["b"]]
    if not used:
        raise SystemExit("no BGP data in capture")
    c = conns[used[-1]]
    for direction, out in (("a", out_a), ("b", out_b)):
        segs = c[direction]
        if not segs:
            open(out, "wb").close()
            continue
        start = c["isn"].get(direction, min(segs))
        stream, pos = bytearray(), start
        for seq in sorted(segs, key=lambda s: (s - start) & 0xFFFFFFFF):
            data = segs[seq]
            rel = (seq - pos) & 0xFFFFFFFF
            if rel > 0x7FFFFFFF:  # overlaps what we have
                skip = (pos - seq) & 0xFFFFFFFF
                data = data[skip:]
            elif rel:
                raise SystemExit(f"gap of {rel} octets in direction {direction}")
            stream += data
            pos = (pos + len(data)) & 0xFFFFFFFF
        # Keep whole messages only (a capture may end mid-message).
        off = 0
        while off + 19 <= len(stream):
            if stream[off:off + 16] != b"\xff" * 16:
                raise SystemExit(f"stream {direction} lost framing at {off}")
            n = struct.unpack("!H", stream[off + 16:off + 18])[0]
            if off + n > len(stream):
                break
            off += n
        with open(out, "wb") as f:
            f.write(stream[:off])
        print(f"{out}: {off} octets")


main()
