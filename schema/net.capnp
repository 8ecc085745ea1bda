# capOS networking: the capabilities the network-stack service
# (services/netstack, lwIP over the Nic of schema/nic.capnp) exports.
# Design, authority and lifetimes: docs/networking.md.
#
# Same conventions as capos.capnp: explicit stable ids, methods added at
# the end only, capabilities returned as result-cap record indices
# (`...Index :UInt16`), failures as CapException (invalidArgument for a
# bad value, overloaded for a full table or buffer, disconnected for a
# connection the peer reset, failed for anything else).
#
# IPv4 addresses are UInt32 in host order: 10.0.2.15 is 0x0a00020f.
# Timeouts are nanoseconds; 0 means "do not wait" (poll).
# Releasing the last cap of a socket or listener closes it; when a client
# exits, the kernel releases its caps and the stack frees their sockets.
# Generated C code: generated/net.capnp.h (prefix net_).

@0xc239313f27a78c21;

struct Ipv4Route @0xca2ff7184875cb94 {
  destination @0 :UInt32;
  netmask @1 :UInt32;
  gateway @2 :UInt32;    # 0: on-link
}

struct InterfaceInfo @0x9d9cc91df9c7aba2 {
  mac @0 :Data;          # 6 bytes
  linkUp @1 :Bool;
  mtu @2 :UInt16;
  dhcp @3 :Bool;         # the address comes from DHCPv4 (else static)
  bound @4 :Bool;        # an address is configured (DHCP: a lease is held)
  address @5 :UInt32;
  netmask @6 :UInt32;
  gateway @7 :UInt32;
  dnsServers @8 :List(UInt32);   # from DHCP option 6, or set statically
  leaseSeconds @9 :UInt32;       # DHCP lease time; 0 for static
  dhcpServer @10 :UInt32;
}

struct NetCounters @0xad3161f0d15d218d {
  # Since the stack started (lwIP's own statistics and the stack's tables).
  rxFrames @0 :UInt64;
  txFrames @1 :UInt64;
  rxDropped @2 :UInt64;      # frames refused: bad length, no buffer
  ipRx @3 :UInt64;
  ipTx @4 :UInt64;
  ipDropped @5 :UInt64;      # bad header or checksum, not for us, no route
  icmpRx @6 :UInt64;
  icmpTx @7 :UInt64;
  udpRx @8 :UInt64;
  udpTx @9 :UInt64;
  udpDropped @10 :UInt64;
  tcpRx @11 :UInt64;
  tcpTx @12 :UInt64;
  tcpDropped @13 :UInt64;
  tcpRetransmits @14 :UInt64;
  tcpSockets @15 :UInt32;    # live TcpSocket objects
  tcpListeners @16 :UInt32;
  udpSockets @17 :UInt32;
  socketsFreedByRelease @18 :UInt64;  # closed because the last cap went away
}

struct PingReply @0xe22c00960f6c6986 {
  seq @0 :UInt16;
  rttNs @1 :UInt64;
  ttl @2 :UInt8;
  bytes @3 :UInt16;      # ICMP payload bytes echoed
}

interface NetworkManager @0xa6bb9d947a531087 {
  # The interface's configuration and the stack's state; outgoing TCP and
  # UDP sockets.  Held by whoever administers the network (init, a shell),
  # not by every program: listening on ports is TcpListenAuthority's.

  interfaceInfo @0 () -> (info :InterfaceInfo);

  configureDhcp @1 () -> ();
  # (Re)starts the DHCPv4 client (the default at start); the lease, the
  # gateway and the DNS servers it learns are logged and shown by
  # interfaceInfo.

  configureStatic @2 (address :UInt32, netmask :UInt32, gateway :UInt32,
                      dnsServers :List(UInt32)) -> ();
  # Stops DHCP and sets the addresses.  invalidArgument: a netmask that is
  # not contiguous ones, an address of 0 or a broadcast address, more than
  # 2 DNS servers.

  routes @3 () -> (routes :List(Ipv4Route));
  # The on-link subnet and the default route.

  counters @4 () -> (counters :NetCounters);

  tcpConnect @5 (address :UInt32, port :UInt16, timeoutNs :UInt64) -> (socketIndex :UInt16);
  # Opens a connection; returns a TcpSocket once established.
  # failed: refused (RST) or timed out; overloaded: no free socket.

  udpOpen @6 (port :UInt16) -> (socketIndex :UInt16);
  # A UdpSocket bound to the port (0: an ephemeral port).  Ports below
  # 1024 are refused (invalidArgument): serving a well-known port takes a
  # grant of its own, as TcpListenAuthority is for TCP.

  ping @7 (address :UInt32, count :UInt16, payloadBytes :UInt16, timeoutNs :UInt64)
      -> (replies :List(PingReply), sent :UInt16);
  # ICMP echo: `count` requests (1..16), one at a time, each waiting up to
  # timeoutNs; a reply list shorter than `sent` means losses.
}

interface TcpListenAuthority @0x95bddacd6eab462f {
  # The right to serve a range of ports (TCP listen, UDP bind), fixed by
  # the cap's badge (docs/networking.md, "Listen authorities").  An HTTP
  # server is given one for port 80 and nothing else.

  allowedPorts @0 () -> (first :UInt16, last :UInt16);

  listen @1 (port :UInt16, backlog :UInt16) -> (listenerIndex :UInt16);
  # A TcpListener on the port.  invalidArgument: port outside the range,
  # backlog 0 or over 16; failed: the port is already listened on.

  udpOpen @2 (port :UInt16) -> (socketIndex :UInt16);
  # A UdpSocket bound to a port of the same range (below 1024 too: the
  # grant is what NetworkManager.udpOpen lacks).  invalidArgument: port
  # outside the range; failed: the port is taken; overloaded: no socket.
}

interface TcpListener @0xadd7c9b841e04453 {
  accept @0 (timeoutNs :UInt64) -> (accepted :Bool, socketIndex :UInt16,
                                    remoteAddress :UInt32, remotePort :UInt16);
  # The next established connection as a TcpSocket (accepted = true), or
  # accepted = false when timeoutNs passed first.  Connections beyond the
  # backlog are refused by the stack, not queued without bound.

  localPort @1 () -> (port :UInt16);
}

enum ShutdownHow @0xdade3f98b3f33ca8 {
  read @0;
  write @1;      # sends FIN once the queued bytes are out
  both @2;
}

interface TcpSocket @0xe595fee7f7c305f4 {
  # One connection.  Releasing the last cap closes it (FIN, or RST when
  # unread data or unsent bytes would be lost).

  send @0 (data :Data, timeoutNs :UInt64) -> (accepted :UInt32);
  # Queues bytes; backpressure: accepted < the length when the send buffer
  # is full (after waiting up to timeoutNs for room).  disconnected: the
  # peer reset the connection.

  receive @1 (maxBytes :UInt32, timeoutNs :UInt64) -> (data :Data, eof :Bool);
  # Up to maxBytes (1..65536) received bytes; empty with eof = false on
  # timeout, eof = true once the peer closed and everything was read.

  shutdown @2 (how :ShutdownHow) -> ();

  info @3 () -> (localAddress :UInt32, localPort :UInt16,
                 remoteAddress :UInt32, remotePort :UInt16,
                 sendBuffered :UInt32, receiveBuffered :UInt32);
}

interface UdpSocket @0xd842c3c78461c95a {
  sendTo @0 (address :UInt32, port :UInt16, data :Data) -> ();
  # One datagram (at most 1472 bytes: no fragmentation).  invalidArgument:
  # too long, port 0; overloaded: no buffer.

  receiveFrom @1 (timeoutNs :UInt64) -> (received :Bool, address :UInt32,
                                          port :UInt16, data :Data);
  # The next datagram, or received = false when timeoutNs passed.  The
  # stack keeps at most 16 datagrams per socket; later ones are dropped
  # and counted.

  localPort @2 () -> (port :UInt16);
}
