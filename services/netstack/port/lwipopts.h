/*
 * lwIP configuration for capOS: the netstack service, the host unit
 * tests and the packet-input fuzzer all build lwIP with this one file, so
 * what is fuzzed and tested is what runs.
 *
 * NO_SYS=1: the raw (callback) API, driven by one event loop in one
 * thread; no sockets or netconn API (the service exports capabilities,
 * not BSD sockets).  IPv4 only, with DHCP, ARP, ICMP, UDP, TCP, raw pcbs
 * (for ping) and DNS (to keep the servers DHCP reports).
 */
#ifndef CAPOS_LWIPOPTS_H
#define CAPOS_LWIPOPTS_H

#define NO_SYS               1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_SOCKET          0
#define LWIP_NETCONN         0
#define LWIP_NETIF_API       0

/* Memory: lwIP's own heap and pools (static arrays), the same on every
 * build; MEM_LIBC_MALLOC would tie the stack to the process heap. */
#define MEM_LIBC_MALLOC         0
#define MEMP_MEM_MALLOC         0
#define MEM_ALIGNMENT           8
#define MEM_SIZE                (256 * 1024)
#define MEMP_NUM_PBUF           64
#define MEMP_NUM_UDP_PCB        16
#define MEMP_NUM_TCP_PCB        64
#define MEMP_NUM_TCP_PCB_LISTEN 16
#define MEMP_NUM_TCP_SEG        256
#define MEMP_NUM_REASSDATA      8
#define MEMP_NUM_FRAG_PBUF      16
#define MEMP_NUM_RAW_PCB        4
#define PBUF_POOL_SIZE          128
#define PBUF_POOL_BUFSIZE       1536 /* one Ethernet frame with headroom */

/* Protocols. */
#define LWIP_IPV4                1
#define LWIP_IPV6                0
#define LWIP_ARP                 1
#define ETHARP_SUPPORT_VLAN      0
#define LWIP_ETHERNET            1
#define LWIP_ICMP                1
#define LWIP_RAW                 1
#define LWIP_UDP                 1
#define LWIP_TCP                 1
#define LWIP_DHCP                1
#define LWIP_DHCP_DOES_ACD_CHECK 0
#define DHCP_DOES_ARP_CHECK      0 /* no ARP probe: QEMU's slirp does not answer one */
#define LWIP_AUTOIP              0
#define LWIP_IGMP                0
#define LWIP_DNS                 1 /* keeps the DNS servers DHCP offers */
#define DNS_MAX_SERVERS          2
#define IP_REASSEMBLY            1
#define IP_FRAG                  1
#define LWIP_NETIF_LOOPBACK      1 /* 127.0.0.1 and our own address: local
                                             services reach each other; the loop
                                             netif is drained by netif_poll_all() */
#define LWIP_LOOPBACK_MAX_PBUFS  64
#define LWIP_BROADCAST_PING      0
#define LWIP_MULTICAST_PING      0

/* TCP: 1460-byte segments, a 32 KiB window (TCP_WND must fit the pbuf
 * pool and 16-bit windows without scaling). */
#define TCP_MSS                    1460
#define TCP_WND                    (22 * TCP_MSS)
#define TCP_SND_BUF                (22 * TCP_MSS)
#define TCP_SND_QUEUELEN           ((4 * TCP_SND_BUF + TCP_MSS - 1) / TCP_MSS)
#define TCP_LISTEN_BACKLOG         1
#define TCP_DEFAULT_LISTEN_BACKLOG 16
#define LWIP_TCP_KEEPALIVE         1
#define TCP_QUEUE_OOSEQ            1

/* Interface callbacks the service logs (address from DHCP, link). */
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK   1
#define LWIP_NETIF_HOSTNAME        1

/* Counters for NetworkManager.counters and the leak checks of the tests. */
#define LWIP_STATS         1
#define LWIP_STATS_DISPLAY 0
#define LWIP_STATS_LARGE   1 /* 32-bit counters: NetworkManager.counters */
#define MEM_STATS          1
#define MEMP_STATS         1
#define LINK_STATS         1
#define ETHARP_STATS       1
#define IP_STATS           1
#define ICMP_STATS         1
#define UDP_STATS          1
#define TCP_STATS          1

/* Checksums are computed and checked in software (virtio-net offload off). */
#define CHECKSUM_GEN_IP     1
#define CHECKSUM_GEN_UDP    1
#define CHECKSUM_GEN_TCP    1
#define CHECKSUM_GEN_ICMP   1
#define CHECKSUM_CHECK_IP   1
#define CHECKSUM_CHECK_UDP  1
#define CHECKSUM_CHECK_TCP  1
#define CHECKSUM_CHECK_ICMP 1

#endif /* CAPOS_LWIPOPTS_H */
