#!/usr/bin/env python3
"""Extract the two BGP byte streams of one session from a pcap.

usage: pcap2bgp.py CAPTURE.pcap ADDR_A OUTDIR [--conn N] [--all] [--list] [--summary FILE]
       pcap2bgp.py --list A.BGP [B.BGP]   (list the messages of stream files)

Reads a classic libpcap file (Ethernet; Linux cooked SLL/SLL2 also accepted),
reassembles every TCP connection on port 179 in both directions by sequence
number (retransmissions, overlaps and reordering are handled; a hole in the
sequence space ends the stream there and is reported), and writes

    OUTDIR/a.bgp   every octet ADDR_A sent on the chosen connection
    OUTDIR/b.bgp   every octet its peer sent

ADDR_A is side A's address as seen in the capture (IPv4, IPv6 or IPv6
link-local; a "%zone" suffix is ignored).

Only connections on which both sides' first message is an OPEN, both sides
sent a KEEPALIVE (the session reached Established) and neither side closed
it with Cease/7 (connection collision resolution) are candidates; of those
whose two streams parse as whole BGP messages, the last one is written, or
the N-th (0 = first, -1 = last) with --conn N. With --all every candidate is
also written as OUTDIR/conn-N/{a,b}.bgp.

Each stream is validated as a concatenation of whole BGP messages (16 x 0xff
marker, 19 <= length <= 65535, type 1..5); a stream that fails is an error.
A summary of message types per direction, the capabilities of both OPENs,
path attributes seen in UPDATEs, End-of-RIB markers and NOTIFICATIONs is
printed (and written to --summary FILE as Markdown when given); --list
prints one line per message as well.

Standard library only.
"""
import collections
import ipaddress
import os
import struct
import sys

MSG_TYPES = {1: "OPEN", 2: "UPDATE", 3: "NOTIFICATION", 4: "KEEPALIVE", 5: "ROUTE-REFRESH"}
CAPS = {
    1: "multiprotocol",
    2: "route-refresh",
    3: "outbound-route-filtering",
    5: "extended-next-hop",
    6: "extended-message",
    7: "bgpsec",
    8: "multiple-labels",
    9: "role",
    64: "graceful-restart",
    65: "4-octet-as",
    67: "dynamic",
    69: "add-path",
    70: "enhanced-route-refresh",
    71: "long-lived-graceful-restart",
    73: "fqdn",
    74: "bfd",
    75: "software-version",
    128: "route-refresh(old-cisco)",
}
ATTRS = {
    1: "ORIGIN", 2: "AS_PATH", 3: "NEXT_HOP", 4: "MULTI_EXIT_DISC", 5: "LOCAL_PREF",
    6: "ATOMIC_AGGREGATE", 7: "AGGREGATOR", 8: "COMMUNITIES", 9: "ORIGINATOR_ID",
    10: "CLUSTER_LIST", 14: "MP_REACH_NLRI", 15: "MP_UNREACH_NLRI",
    16: "EXTENDED_COMMUNITIES", 17: "AS4_PATH", 18: "AS4_AGGREGATOR",
    22: "PMSI_TUNNEL", 23: "TUNNEL_ENCAP", 25: "IPV6_EXT_COMMUNITIES", 26: "AIGP",
    32: "LARGE_COMMUNITY", 35: "OTC", 128: "ATTR_SET",
}
AFI = {1: "ipv4", 2: "ipv6", 25: "l2vpn"}
SAFI = {1: "unicast", 2: "multicast", 4: "labeled", 70: "evpn", 128: "vpn", 133: "flowspec"}
NOTIF = {1: "Message Header Error", 2: "OPEN Message Error", 3: "UPDATE Message Error",
         4: "Hold Timer Expired", 5: "FSM Error", 6: "Cease"}


def af(afi, safi):
    return f"{AFI.get(afi, afi)}/{SAFI.get(safi, safi)}"


# ---------------------------------------------------------------- pcap

def packets(path):
    with open(path, "rb") as f:
        head = f.read(24)
        if len(head) < 24:
            raise SystemExit(f"{path}: not a pcap file")
        magic_le = struct.unpack("<I", head[:4])[0]
        if magic_le in (0xA1B2C3D4, 0xA1B23C4D):
            endian = "<"
        elif struct.unpack(">I", head[:4])[0] in (0xA1B2C3D4, 0xA1B23C4D):
            endian = ">"
        else:
            raise SystemExit(f"{path}: not a classic libpcap file (pcapng? use tcpdump -w)")
        linktype = struct.unpack(endian + "I", head[20:24])[0] & 0x0FFFFFFF
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                return
            _, _, caplen, origlen = struct.unpack(endian + "IIII", rec)
            frame = f.read(caplen)
            if len(frame) < caplen:
                return  # truncated final record (capture killed mid-write)
            yield linktype, frame, caplen < origlen


def ip_tcp(linktype, frame):
    """(src, dst, tcp segment) or None."""
    if linktype == 1:  # Ethernet
        if len(frame) < 14:
            return None
        ethertype, off = struct.unpack("!H", frame[12:14])[0], 14
        while ethertype in (0x8100, 0x88A8) and len(frame) >= off + 4:
            ethertype, off = struct.unpack("!H", frame[off + 2:off + 4])[0], off + 4
    elif linktype == 113:  # Linux cooked v1
        ethertype, off = struct.unpack("!H", frame[14:16])[0], 16
    elif linktype == 276:  # Linux cooked v2
        ethertype, off = struct.unpack("!H", frame[0:2])[0], 20
    else:
        raise SystemExit(f"unsupported link type {linktype}")
    data = frame[off:]
    if ethertype == 0x0800 and len(data) >= 20 and data[9] == 6:
        ihl = (data[0] & 15) * 4
        total = struct.unpack("!H", data[2:4])[0]
        return (ipaddress.ip_address(data[12:16]), ipaddress.ip_address(data[16:20]),
                data[ihl:total])
    if ethertype == 0x86DD and len(data) >= 40:
        nxt, off = data[6], 40
        plen = struct.unpack("!H", data[4:6])[0]
        end = 40 + plen
        while nxt in (0, 43, 60) and len(data) >= off + 8:  # hop-by-hop, routing, dest opts
            nxt, off = data[off], off + (data[off + 1] + 1) * 8
        if nxt != 6:
            return None
        return ipaddress.ip_address(data[8:24]), ipaddress.ip_address(data[24:40]), data[off:end]
    return None


# ---------------------------------------------------------------- TCP

class Direction:
    def __init__(self):
        self.isn = None      # sequence number of the first data octet (SYN + 1)
        self.segs = []       # (seq, payload) in capture order
        self.fin = False
        self.rst = False

    def stream(self):
        """Reassembled octets from the start of the connection; (bytes, note)."""
        if not self.segs:
            return b"", None
        base = self.isn
        note = None
        if base is None:
            # no SYN captured: start at the lowest sequence number seen (mod 2^32)
            first = self.segs[0][0]
            base = min(self.segs, key=lambda s: (s[0] - first) & 0xFFFFFFFF)[0]
            note = "SYN not captured; stream starts at the lowest sequence number seen"
        pieces = sorted((((seq - base) & 0xFFFFFFFF), data) for seq, data in self.segs)
        out = bytearray()
        for off, data in pieces:
            if off >= 0x80000000:  # before the start (keepalive probes etc.)
                continue
            end = off + len(data)
            if off > len(out):
                note = f"hole in the sequence space at relative offset {len(out)}; stream cut there"
                break
            if end > len(out):
                out += data[len(out) - off:]
        return bytes(out), note


def connections(path, addr_a):
    conns = collections.OrderedDict()  # (a_port, peer addr, b_port) -> {"a": Direction, "b": Direction}
    truncated = 0
    for linktype, frame, short in packets(path):
        p = ip_tcp(linktype, frame)
        if not p:
            continue
        src, dst, tcp = p
        if len(tcp) < 20:
            continue
        sport, dport, seq = struct.unpack("!HHI", tcp[:8])
        if 179 not in (sport, dport):
            continue
        if short:
            truncated += 1
        flags = tcp[13]
        payload = tcp[(tcp[12] >> 4) * 4:]
        if src == addr_a:
            key, d = (sport, dst, dport), "a"
        elif dst == addr_a:
            key, d = (dport, src, sport), "b"
        else:
            continue
        if flags & 0x02 and key in conns and conns[key][d].isn is not None \
                and conns[key][d].isn != (seq + 1) & 0xFFFFFFFF:
            # port reuse: a new connection on the same 4-tuple
            conns[key + (len(conns),)] = conns.pop(key)
        c = conns.setdefault(key, {"a": Direction(), "b": Direction()})
        dirn = c[d]
        if flags & 0x02:
            dirn.isn = (seq + 1) & 0xFFFFFFFF
        if flags & 0x01:
            dirn.fin = True
        if flags & 0x04:
            dirn.rst = True
        if payload:
            dirn.segs.append((seq, bytes(payload)))
    if truncated:
        print(f"warning: {truncated} frames were truncated by the snap length", file=sys.stderr)
    return conns


# ---------------------------------------------------------------- BGP

def split_messages(data):
    """List of (type, body); raises ValueError if data is not whole messages."""
    msgs, off = [], 0
    while off < len(data):
        if len(data) - off < 19:
            raise ValueError(f"{len(data) - off} trailing octets at offset {off} (partial header)")
        if data[off:off + 16] != b"\xff" * 16:
            raise ValueError(f"bad marker at offset {off}")
        length, mtype = struct.unpack("!HB", data[off + 16:off + 19])
        if length < 19:
            raise ValueError(f"length {length} < 19 at offset {off}")
        if mtype not in MSG_TYPES:
            raise ValueError(f"unknown message type {mtype} at offset {off}")
        if off + length > len(data):
            raise ValueError(f"message at offset {off} (length {length}) runs past the end "
                             f"({len(data)} octets)")
        msgs.append((mtype, data[off + 19:off + length]))
        off += length
    return msgs


def open_summary(body):
    version, my_as, hold, bgp_id, optlen = struct.unpack("!BHH4sB", body[:10])
    params = body[10:10 + optlen]
    if optlen == 255 and len(body) >= 13 and body[10] == 255:  # RFC 9072 extended opt params
        optlen = struct.unpack("!H", body[11:13])[0]
        params, ext = body[13:13 + optlen], True
    else:
        ext = False
    caps = []
    i = 0
    while i + 2 <= len(params):
        ptype = params[i]
        if ext:
            plen = struct.unpack("!H", params[i + 1:i + 3])[0]
            pval, i = params[i + 3:i + 3 + plen], i + 3 + plen
        else:
            plen = params[i + 1]
            pval, i = params[i + 2:i + 2 + plen], i + 2 + plen
        if ptype != 2:
            caps.append(f"param{ptype}")
            continue
        j = 0
        while j + 2 <= len(pval):
            code, clen = pval[j], pval[j + 1]
            cval = pval[j + 2:j + 2 + clen]
            j += 2 + clen
            name = CAPS.get(code, f"cap{code}")
            if code == 1 and clen == 4:
                a, _, s = struct.unpack("!HBB", cval)
                name += f"({af(a, s)})"
            elif code == 65 and clen == 4:
                name += f"({struct.unpack('!I', cval)[0]})"
            elif code == 69:
                modes = {1: "receive", 2: "send", 3: "send/receive"}
                parts = [f"{af(*struct.unpack('!HB', cval[k:k + 3]))} {modes.get(cval[k + 3], cval[k + 3])}"
                         for k in range(0, len(cval) - 3, 4)]
                name += f"({', '.join(parts)})"
            elif code == 64 and clen >= 2:
                flags_time = struct.unpack("!H", cval[:2])[0]
                fams = [f"{af(*struct.unpack('!HB', cval[k:k + 3]))}"
                        f"{'+F' if cval[k + 3] & 0x80 else ''}"
                        for k in range(2, len(cval) - 3, 4)]
                r = "R," if flags_time & 0x8000 else ""
                n = "N," if flags_time & 0x4000 else ""
                name += f"({r}{n}time={flags_time & 0xFFF}; {', '.join(fams) or 'no families'})"
            elif code == 5:
                parts = [f"{af(*struct.unpack('!HH', cval[k:k + 4]))} via {AFI.get(struct.unpack('!H', cval[k + 4:k + 6])[0])}"
                         for k in range(0, len(cval) - 5, 6)]
                name += f"({', '.join(parts)})"
            elif code == 73 and clen >= 1:
                hl = cval[0]
                host = cval[1:1 + hl].decode(errors="replace")
                dl = cval[1 + hl] if len(cval) > 1 + hl else 0
                dom = cval[2 + hl:2 + hl + dl].decode(errors="replace")
                name += f"({host}{'.' + dom if dom else ''})"
            elif code == 75 and clen >= 1:
                name += f"({cval[1:1 + cval[0]].decode(errors='replace')})"
            elif code == 9 and clen == 1:
                name += f"({cval[0]})"
            caps.append(name)
    return (f"version {version}, my AS {my_as}, hold {hold}, id {ipaddress.ip_address(bgp_id)}"
            f"{', extended optional parameters' if ext else ''}", caps)


def update_summary(body):
    """(attribute type codes, is End-of-RIB, family tag)."""
    wlen = struct.unpack("!H", body[:2])[0]
    alen = struct.unpack("!H", body[2 + wlen:4 + wlen])[0]
    attrs = body[4 + wlen:4 + wlen + alen]
    nlri = body[4 + wlen + alen:]
    codes, i = [], 0
    mp_unreach_empty = None
    while i + 3 <= len(attrs):
        flags, code = attrs[i], attrs[i + 1]
        if flags & 0x10:
            length, hdr = struct.unpack("!H", attrs[i + 2:i + 4])[0], 4
        else:
            length, hdr = attrs[i + 2], 3
        val = attrs[i + hdr:i + hdr + length]
        codes.append(code)
        if code == 15 and length == 3:
            mp_unreach_empty = af(*struct.unpack("!HB", val))
        i += hdr + length
    if wlen == 0 and alen == 0:
        return codes, "ipv4/unicast"
    if wlen == 0 and not nlri and codes == [15] and mp_unreach_empty:
        return codes, mp_unreach_empty
    return codes, None


def notification_summary(body):
    code, sub = body[0], body[1]
    data = body[2:]
    s = f"{NOTIF.get(code, code)}/{sub}"
    if code == 6 and sub in (2, 4) and data:
        n = data[0]
        s += f' "{data[1:1 + n].decode(errors="replace")}"'
    elif data:
        s += f" data {data.hex()}"
    return s


def describe(name, msgs):
    counts = collections.Counter(MSG_TYPES[t] for t, _ in msgs)
    lines = [f"{name}: {len(msgs)} messages: " +
             ", ".join(f"{MSG_TYPES[t]} {counts[MSG_TYPES[t]]}" for t in sorted(MSG_TYPES)
                       if counts[MSG_TYPES[t]])]
    attrs = collections.Counter()
    eor = []
    for t, body in msgs:
        if t == 1:
            head, caps = open_summary(body)
            lines.append(f"  OPEN {head}")
            lines.append(f"    capabilities: {'; '.join(caps) if caps else '(none)'}")
        elif t == 2:
            codes, e = update_summary(body)
            attrs.update(codes)
            if e:
                eor.append(e)
        elif t == 3:
            lines.append(f"  NOTIFICATION {notification_summary(body)}")
        elif t == 5:
            afi, sub, safi = struct.unpack("!HBB", body[:4])
            kind = {0: "refresh", 1: "BoRR", 2: "EoRR"}.get(sub, sub)
            lines.append(f"  ROUTE-REFRESH {af(afi, safi)} {kind}")
    if attrs:
        lines.append("  path attributes in UPDATEs: " +
                     ", ".join(f"{ATTRS.get(c, c)} x{attrs[c]}" for c in sorted(attrs)))
    if eor:
        lines.append(f"  End-of-RIB: {', '.join(eor)}")
    return lines, counts


def one_line(t, body):
    s = f"{MSG_TYPES[t]:<13} len {len(body) + 19:>4}"
    if t == 1:
        head, caps = open_summary(body)
        return f"{s}  {head}"
    if t == 2:
        wlen = struct.unpack("!H", body[:2])[0]
        alen = struct.unpack("!H", body[2 + wlen:4 + wlen])[0]
        codes, e = update_summary(body)
        nlri = len(body) - 4 - wlen - alen
        if e:
            return f"{s}  End-of-RIB {e}"
        return (f"{s}  withdrawn {wlen}o, attrs [{' '.join(ATTRS.get(c, str(c)) for c in codes)}]"
                f", nlri {nlri}o")
    if t == 3:
        return f"{s}  {notification_summary(body)}"
    if t == 5:
        afi, sub, safi = struct.unpack("!HBB", body[:4])
        return f"{s}  {af(afi, safi)} {({0: 'refresh', 1: 'BoRR', 2: 'EoRR'}).get(sub, sub)}"
    return s


def list_messages(name, data):
    print(f"--- {name}")
    for n, (t, body) in enumerate(split_messages(data)):
        print(f"{n:4} {one_line(t, body)}")


# ---------------------------------------------------------------- main

def main(argv):
    args = [a for a in argv[1:]]
    if args[:1] == ["--list"] and all(a.endswith(".bgp") for a in args[1:]) and len(args) > 1:
        for f in args[1:]:
            with open(f, "rb") as fh:
                list_messages(f, fh.read())
        return 0
    want_list = "--list" in args
    if want_list:
        args.remove("--list")
    write_all = "--all" in args
    conn_index = -1
    if "--conn" in args:
        k = args.index("--conn")
        conn_index = int(args[k + 1])
        del args[k:k + 2]
    if write_all:
        args.remove("--all")
    summary_file = None
    if "--summary" in args:
        k = args.index("--summary")
        summary_file = args[k + 1]
        del args[k:k + 2]
    if len(args) != 3:
        raise SystemExit(__doc__)
    path, addr_a, outdir = args
    addr_a = ipaddress.ip_address(addr_a.split("%")[0])
    conns = connections(path, addr_a)
    if not conns:
        raise SystemExit(f"{path}: no TCP port 179 traffic to or from {addr_a}")

    candidates = []
    for key, c in conns.items():
        a, note_a = c["a"].stream()
        b, note_b = c["b"].stream()
        if not (a[16:19] and a[18] == 1 and b[16:19] and b[18] == 1):
            print(f"skipping connection {addr_a}:{key[0]} <-> {key[1]}:{key[2]}: "
                  f"not an OPEN from both sides ({len(a)}/{len(b)} octets)", file=sys.stderr)
            continue
        try:
            ma, mb = split_messages(a), split_messages(b)
            err = None
        except ValueError as e:
            ma = mb = None
            err = str(e)
        candidates.append((key, a, b, ma, mb, err, note_a, note_b))
    if not candidates:
        raise SystemExit(f"{path}: no connection with OPENs in both directions")

    def established(c):
        for msgs in (c[3], c[4]):
            if not any(t == 4 for t, _ in msgs):
                return False
            if any(t == 3 and body[:2] == b"\x06\x07" for t, body in msgs):
                return False
        return True

    complete = [c for c in candidates if c[5] is None and established(c)]
    for n, c in enumerate(complete):
        print(f"candidate {n}: {addr_a} port {c[0][0]} <-> {c[0][1]} port {c[0][2]}, "
              f"{len(c[3])}/{len(c[4])} messages", file=sys.stderr)
    if not complete:
        key, *_, err, na, nb = candidates[-1]
        why = err or "no connection reached Established (KEEPALIVE from both sides, no Cease/7)"
        raise SystemExit(f"{path}: no usable connection: {why} {na or ''} {nb or ''}")
    try:
        chosen = complete[conn_index]
    except IndexError:
        raise SystemExit(f"{path}: no candidate connection {conn_index} ({len(complete)} found)")

    def write(d, a, b):
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "a.bgp"), "wb") as f:
            f.write(a)
        with open(os.path.join(d, "b.bgp"), "wb") as f:
            f.write(b)

    if write_all:
        for n, (key, a, b, *_rest) in enumerate(complete):
            write(os.path.join(outdir, f"conn-{n}"), a, b)

    key, a, b, ma, mb, _, na, nb = chosen
    write(outdir, a, b)
    out = [f"connection {addr_a} port {key[0]} <-> {key[1]} port {key[2]}"]
    for note in (na, nb):
        if note:
            out.append(f"note: {note}")
    la, ca = describe(f"a.bgp ({len(a)} octets)", ma)
    lb, cb = describe(f"b.bgp ({len(b)} octets)", mb)
    out += la + lb
    print("\n".join(out))
    if want_list:
        list_messages("a.bgp", a)
        list_messages("b.bgp", b)
    if summary_file:
        with open(summary_file, "w") as f:
            f.write("| message | A sent | B sent |\n|---|---:|---:|\n")
            for t in sorted(MSG_TYPES):
                n = MSG_TYPES[t]
                f.write(f"| {n} | {ca[n]} | {cb[n]} |\n")
            f.write(f"| total | {len(ma)} | {len(mb)} |\n\n```\n" + "\n".join(out) + "\n```\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
