/*
 * ICMP echo for NetworkManager.ping: one raw pcb for ICMP, one request
 * outstanding at a time.  A reply is ours when its identifier and
 * sequence number match; anything else goes on to lwIP (which answers
 * echo requests to us by itself).
 */
#include <capos/rt.h>

#include "clock.h"
#include "lwip/icmp.h"
#include "lwip/inet_chksum.h"
#include "lwip/ip4.h"
#include "lwip/prot/ip4.h"
#include "lwip/raw.h"
#include "netstack.h"

#define PING_ID 0xc05au

static struct raw_pcb *pcb;
static uint16_t next_seq;

/* The request in flight, and what its reply said. */
static struct {
	bool waiting, answered;
	uint16_t seq;
	uint64_t sent_ns;
	struct ping_reply r;
} cur;

static u8_t on_icmp(void *arg, struct raw_pcb *pc, struct pbuf *p, const ip_addr_t *addr)
{
	(void)arg;
	(void)pc;
	(void)addr;
	struct ip_hdr iph;
	struct icmp_echo_hdr echo;
	if (!cur.waiting || pbuf_copy_partial(p, &iph, sizeof iph, 0) != sizeof iph)
		return 0;
	u16_t hlen = (u16_t)(IPH_HL(&iph) * 4u);
	if (hlen < sizeof iph || pbuf_copy_partial(p, &echo, sizeof echo, hlen) != sizeof echo)
		return 0;
	if (echo.type != ICMP_ER || echo.id != lwip_htons(PING_ID) ||
	    echo.seqno != lwip_htons(cur.seq))
		return 0;
	cur.r = (struct ping_reply){.seq = cur.seq,
	                            .ttl = IPH_TTL(&iph),
	                            .bytes = (uint16_t)(p->tot_len - hlen - sizeof echo),
	                            .rtt_ns = netstack_clock_ns() - cur.sent_ns};
	cur.answered = true;
	cur.waiting = false;
	pbuf_free(p);
	return 1;
}

int ping_open(void)
{
	pcb = raw_new(IP_PROTO_ICMP);
	if (!pcb)
		return -1;
	raw_recv(pcb, on_icmp, NULL);
	raw_bind(pcb, IP_ADDR_ANY);
	return 0;
}

static bool send_request(uint32_t addr, uint16_t payload)
{
	struct pbuf *p = pbuf_alloc(PBUF_IP, (u16_t)(sizeof(struct icmp_echo_hdr) + payload), PBUF_RAM);
	if (!p)
		return false;
	struct icmp_echo_hdr *h = p->payload;
	h->type = ICMP_ECHO;
	h->code = 0;
	h->chksum = 0;
	h->id = lwip_htons(PING_ID);
	h->seqno = lwip_htons(cur.seq);
	uint8_t *data = (uint8_t *)(h + 1);
	for (uint16_t i = 0; i < payload; i++)
		data[i] = (uint8_t)(0x10 + i);
	h->chksum = inet_chksum(h, p->len);
	ip_addr_t dst = IPADDR4_INIT(lwip_htonl(addr));
	cur.sent_ns = netstack_clock_ns();
	err_t e = raw_sendto(pcb, p, &dst);
	pbuf_free(p);
	return e == ERR_OK;
}

bool ping_once(uint32_t addr, uint16_t payload, uint64_t timeout_ns, struct ping_reply *r)
{
	cur.seq = ++next_seq;
	cur.answered = false;
	cur.waiting = true;
	if (!send_request(addr, payload)) {
		cur.waiting = false;
		return false;
	}
	uint64_t deadline = cur.sent_ns + timeout_ns;
	for (;;) {
		uint64_t now = netstack_clock_ns();
		if (cur.answered || now >= deadline || ns.link.gone)
			break;
		netstack_poll(deadline - now, false);
	}
	cur.waiting = false;
	if (cur.answered)
		*r = cur.r;
	return cur.answered;
}
