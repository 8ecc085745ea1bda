/* The netstack's socket table over lwIP's raw API: see sockets.h. */
#include "sockets.h"

#include "kstring.h"
#include "lwip/netif.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"

#define ID_SLOT(id) ((id)&0xffu)
#define ID_GEN(id)  (((id) >> 8) & 0xffu)

void sock_table_init(struct sock_table *t)
{
	memset(t, 0, sizeof *t);
	for (uint32_t i = 0; i < SOCK_MAX; i++)
		t->s[i].t = t;
}

static uint32_t sock_id(const struct sock_table *t, const struct sock *s)
{
	return (uint32_t)(s - t->s) | (uint32_t)s->gen << 8;
}

/* The live socket id names, if it is of the kind wanted (SOCK_FREE: any). */
static struct sock *lookup(struct sock_table *t, uint32_t id, enum sock_kind kind)
{
	if (id >> 16 || ID_SLOT(id) >= SOCK_MAX)
		return NULL;
	struct sock *s = &t->s[ID_SLOT(id)];
	if (s->kind == SOCK_FREE || s->gen != ID_GEN(id) || (kind != SOCK_FREE && s->kind != kind))
		return NULL;
	return s;
}

static struct sock *alloc(struct sock_table *t, enum sock_kind kind)
{
	for (uint32_t i = 0; i < SOCK_MAX; i++) {
		struct sock *s = &t->s[i];
		if (s->kind == SOCK_FREE) {
			uint8_t gen = s->gen;
			memset(s, 0, sizeof *s);
			s->t = t;
			s->gen = gen;
			s->kind = kind;
			return s;
		}
	}
	return NULL;
}

/* Back to free; the generation moves on so old ids stay dead. */
static void free_slot(struct sock *s)
{
	struct sock_table *t = s->t;
	uint8_t gen = (uint8_t)(s->gen + 1);
	memset(s, 0, sizeof *s);
	s->t = t;
	s->gen = gen;
}

/* ---- TCP connections ---- */

/* A slot of the kind wanted and a fresh TCP pcb for it; NULL, with
 * neither kept, when either has run out. */
static struct sock *alloc_tcp(struct sock_table *t, enum sock_kind kind, struct tcp_pcb **pcb)
{
	struct sock *s = alloc(t, kind);
	if (!s)
		return NULL;
	*pcb = tcp_new();
	if (!*pcb) {
		free_slot(s);
		return NULL;
	}
	return s;
}

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct sock *s = arg;
	(void)pcb;
	(void)err;
	s->t->events++;
	if (!p) {
		s->eof = true;
		return ERR_OK;
	}
	if (s->rx)
		pbuf_cat(s->rx, p);
	else
		s->rx = p;
	return ERR_OK; /* the window reopens as the client reads (tcp_recved) */
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	struct sock *s = arg;
	(void)pcb;
	(void)len;
	s->t->events++;
	return ERR_OK;
}

/* lwIP has freed the pcb (reset, or retransmissions gave up). */
static void on_err(void *arg, err_t err)
{
	struct sock *s = arg;
	(void)err;
	s->pcb.tcp = NULL;
	s->reset = true;
	s->t->count.resets++;
	s->t->events++;
}

static void tcp_attach(struct sock *s, struct tcp_pcb *pcb)
{
	s->pcb.tcp = pcb;
	tcp_arg(pcb, s);
	tcp_recv(pcb, on_recv);
	tcp_sent(pcb, on_sent);
	tcp_err(pcb, on_err);
}

/* Closes a connection's pcb: RST when received bytes would be lost. */
static void tcp_finish(struct sock *s)
{
	struct tcp_pcb *pcb = s->pcb.tcp;
	if (pcb) {
		tcp_arg(pcb, NULL);
		tcp_recv(pcb, NULL);
		tcp_sent(pcb, NULL);
		tcp_err(pcb, NULL);
		if (s->rx || tcp_close(pcb) != ERR_OK)
			tcp_abort(pcb);
	}
	if (s->rx)
		pbuf_free(s->rx);
	s->pcb.tcp = NULL;
	s->rx = NULL;
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct sock *l = arg;
	struct sock_table *t = l->t;
	if (err != ERR_OK || !pcb)
		return ERR_VAL;
	if (l->npending >= l->backlog) {
		t->count.refused_backlog++;
		tcp_abort(pcb);
		return ERR_ABRT;
	}
	struct sock *s = alloc(t, SOCK_TCP);
	if (!s) {
		t->count.refused_table++;
		tcp_abort(pcb);
		return ERR_ABRT;
	}
	tcp_attach(s, pcb);
	s->listener = sock_id(t, l);
	l->pending[l->npending++] = sock_id(t, s);
	t->count.tcp++;
	t->events++;
	return ERR_OK;
}

int sock_listen(struct sock_table *t, uint16_t first, uint16_t last, uint16_t port,
                uint16_t backlog, uint32_t *id)
{
	if (port == 0 || port < first || port > last || backlog == 0 || backlog > SOCK_BACKLOG_MAX)
		return SOCK_INVAL;
	struct tcp_pcb *pcb;
	struct sock *s = alloc_tcp(t, SOCK_LISTENER, &pcb);
	if (!s)
		return SOCK_NOMEM;
	if (tcp_bind(pcb, IP4_ADDR_ANY, port) != ERR_OK) {
		tcp_abort(pcb);
		free_slot(s);
		return SOCK_INUSE;
	}
	struct tcp_pcb *lp = tcp_listen_with_backlog(pcb, (u8_t)backlog);
	if (!lp) {
		tcp_abort(pcb);
		free_slot(s);
		return SOCK_NOMEM;
	}
	s->pcb.tcp = lp;
	s->backlog = backlog;
	tcp_arg(lp, s);
	tcp_accept(lp, on_accept);
	t->count.listeners++;
	*id = sock_id(t, s);
	return SOCK_OK;
}

int sock_accept(struct sock_table *t, uint32_t listener, uint32_t *id, ip4_addr_t *raddr,
                uint16_t *rport)
{
	struct sock *l = lookup(t, listener, SOCK_LISTENER);
	if (!l)
		return SOCK_BADID;
	if (l->npending == 0)
		return SOCK_AGAIN;
	uint32_t sid = l->pending[0];
	memmove(l->pending, l->pending + 1, (size_t)(--l->npending) * sizeof l->pending[0]);
	struct sock *s = lookup(t, sid, SOCK_TCP);
	s->accepted = true;
	*id = sid;
	/* A connection reset before it was accepted is still handed out: its
	 * first receive says so. */
	if (s->pcb.tcp) {
		ip4_addr_copy(*raddr, *ip_2_ip4(&s->pcb.tcp->remote_ip));
		*rport = s->pcb.tcp->remote_port;
	} else {
		ip4_addr_set_zero(raddr);
		*rport = 0;
	}
	return SOCK_OK;
}

int sock_send(struct sock_table *t, uint32_t id, const void *data, size_t len, size_t *accepted)
{
	struct sock *s = lookup(t, id, SOCK_TCP);
	*accepted = 0;
	if (!s)
		return SOCK_BADID;
	if (s->reset || !s->pcb.tcp)
		return SOCK_RESET;
	size_t room = tcp_sndbuf(s->pcb.tcp);
	if (tcp_sndqueuelen(s->pcb.tcp) >= TCP_SND_QUEUELEN)
		room = 0;
	size_t n = LWIP_MIN(len, LWIP_MIN(room, (size_t)0xffff));
	if (len && n == 0)
		return SOCK_AGAIN;
	if (n && tcp_write(s->pcb.tcp, data, (u16_t)n, TCP_WRITE_FLAG_COPY) != ERR_OK)
		return SOCK_AGAIN; /* out of segments for now: sent_cb frees them */
	if (!t->defer_output)
		tcp_output(s->pcb.tcp);
	else if (n && !s->unsent) {
		s->unsent = true;
		t->unsent++;
	}
	*accepted = n;
	return SOCK_OK;
}

void sock_table_flush(struct sock_table *t)
{
	for (uint32_t i = 0; i < SOCK_MAX && t->unsent; i++) {
		struct sock *s = &t->s[i];
		if (!s->unsent)
			continue;
		s->unsent = false;
		t->unsent--;
		if (s->kind == SOCK_TCP && s->pcb.tcp)
			tcp_output(s->pcb.tcp);
	}
	t->unsent = 0;
}

int sock_recv(struct sock_table *t, uint32_t id, void *buf, size_t max, size_t *got, bool *eof)
{
	struct sock *s = lookup(t, id, SOCK_TCP);
	*got = 0;
	*eof = false;
	if (!s)
		return SOCK_BADID;
	if (s->rx) {
		u16_t n = (u16_t)LWIP_MIN(max, (size_t)s->rx->tot_len);
		n = LWIP_MIN(n, (u16_t)0xffff);
		pbuf_copy_partial(s->rx, buf, n, 0);
		/* pbuf_free_header drops whole pbufs and trims the first one */
		s->rx = pbuf_free_header(s->rx, n);
		if (s->pcb.tcp)
			tcp_recved(s->pcb.tcp, n);
		*got = n;
		return SOCK_OK;
	}
	if (s->reset)
		return SOCK_RESET;
	if (s->eof) {
		*eof = true;
		return SOCK_OK;
	}
	return SOCK_AGAIN;
}

int sock_shutdown(struct sock_table *t, uint32_t id, bool rx, bool tx)
{
	struct sock *s = lookup(t, id, SOCK_TCP);
	if (!s)
		return SOCK_BADID;
	if (!s->pcb.tcp)
		return SOCK_RESET;
	return tcp_shutdown(s->pcb.tcp, rx, tx) == ERR_OK ? SOCK_OK : SOCK_NOMEM;
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct sock *s = arg;
	(void)pcb;
	(void)err; /* lwIP calls it with ERR_OK only; failures go to on_err */
	s->connecting = false;
	s->t->events++;
	return ERR_OK;
}

int sock_connect(struct sock_table *t, const ip4_addr_t *addr, uint16_t port, uint32_t *id)
{
	if (port == 0 || ip4_addr_isany(addr) || ip4_addr_get_u32(addr) == IPADDR_BROADCAST ||
	    (netif_default && ip4_addr_isbroadcast(addr, netif_default)))
		return SOCK_INVAL;
	struct tcp_pcb *pcb;
	struct sock *s = alloc_tcp(t, SOCK_TCP, &pcb);
	if (!s)
		return SOCK_NOMEM;
	tcp_attach(s, pcb);
	s->accepted = true;
	s->connecting = true;
	ip_addr_t dst;
	ip_addr_copy_from_ip4(dst, *addr);
	if (tcp_connect(pcb, &dst, port, on_connected) != ERR_OK) {
		tcp_arg(pcb, NULL);
		tcp_err(pcb, NULL);
		tcp_abort(pcb);
		free_slot(s);
		return SOCK_NOMEM;
	}
	t->count.tcp++;
	*id = sock_id(t, s);
	return SOCK_OK;
}

int sock_connect_state(struct sock_table *t, uint32_t id)
{
	struct sock *s = lookup(t, id, SOCK_TCP);
	if (!s)
		return SOCK_BADID;
	if (s->reset || !s->pcb.tcp)
		return SOCK_RESET;
	return s->connecting ? SOCK_AGAIN : SOCK_OK;
}

enum sock_kind sock_kind_of(struct sock_table *t, uint32_t id)
{
	struct sock *s = lookup(t, id, SOCK_FREE);
	return s ? s->kind : SOCK_FREE;
}

bool sock_writable(struct sock_table *t, uint32_t id)
{
	struct sock *s = lookup(t, id, SOCK_TCP);
	if (!s || s->reset || !s->pcb.tcp)
		return true;
	return tcp_sndbuf(s->pcb.tcp) > 0 && tcp_sndqueuelen(s->pcb.tcp) < TCP_SND_QUEUELEN;
}

int sock_info(struct sock_table *t, uint32_t id, struct sock_info *out)
{
	struct sock *s = lookup(t, id, SOCK_FREE);
	memset(out, 0, sizeof *out);
	if (!s)
		return SOCK_BADID;
	if (s->kind == SOCK_UDP) {
		out->local_port = s->pcb.udp->local_port;
		return SOCK_OK;
	}
	if (s->kind == SOCK_TCP && s->rx)
		out->recv_buffered = s->rx->tot_len;
	if (!s->pcb.tcp)
		return SOCK_OK;
	out->local_port = s->pcb.tcp->local_port;
	if (s->kind == SOCK_LISTENER)
		return SOCK_OK;
	ip4_addr_copy(out->local, *ip_2_ip4(&s->pcb.tcp->local_ip));
	ip4_addr_copy(out->remote, *ip_2_ip4(&s->pcb.tcp->remote_ip));
	out->remote_port = s->pcb.tcp->remote_port;
	out->send_buffered = (uint32_t)(TCP_SND_BUF - tcp_sndbuf(s->pcb.tcp));
	return SOCK_OK;
}

/* ---- UDP ---- */

static void on_datagram(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
                        u16_t port)
{
	struct sock *s = arg;
	(void)pcb;
	if (s->dq_len == SOCK_UDP_QUEUE) {
		s->t->count.udp_dropped++;
		pbuf_free(p);
		return;
	}
	struct sock_udp_dgram *d = &s->dq[(s->dq_head + s->dq_len++) % SOCK_UDP_QUEUE];
	d->p = p;
	ip4_addr_copy(d->addr, *ip_2_ip4(addr));
	d->port = port;
	s->t->events++;
}

int sock_udp_open(struct sock_table *t, uint16_t port, uint32_t *id)
{
	if (port != 0 && port < 1024)
		return SOCK_INVAL;
	return sock_udp_bind(t, port, id);
}

int sock_udp_bind(struct sock_table *t, uint16_t port, uint32_t *id)
{
	struct sock *s = alloc(t, SOCK_UDP);
	if (!s)
		return SOCK_NOMEM;
	struct udp_pcb *pcb = udp_new();
	if (!pcb) {
		free_slot(s);
		return SOCK_NOMEM;
	}
	if (udp_bind(pcb, IP4_ADDR_ANY, port) != ERR_OK) {
		udp_remove(pcb);
		free_slot(s);
		return SOCK_INUSE;
	}
	s->pcb.udp = pcb;
	udp_recv(pcb, on_datagram, s);
	t->count.udp++;
	*id = sock_id(t, s);
	return SOCK_OK;
}

int sock_udp_sendto(struct sock_table *t, uint32_t id, const ip4_addr_t *addr, uint16_t port,
                    const void *data, size_t len)
{
	struct sock *s = lookup(t, id, SOCK_UDP);
	if (!s)
		return SOCK_BADID;
	if (port == 0 || len > SOCK_UDP_MAX)
		return SOCK_INVAL;
	struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)len, PBUF_RAM);
	if (!p)
		return SOCK_NOMEM;
	pbuf_take(p, data, (u16_t)len);
	ip_addr_t dst;
	ip_addr_copy_from_ip4(dst, *addr);
	err_t e = udp_sendto(s->pcb.udp, p, &dst, port);
	pbuf_free(p);
	/* clang-format off */
	return e == ERR_OK ? SOCK_OK : e == ERR_MEM ? SOCK_NOMEM : SOCK_INVAL;
	/* clang-format on */
}

int sock_udp_recvfrom(struct sock_table *t, uint32_t id, ip4_addr_t *addr, uint16_t *port,
                      void *buf, size_t max, size_t *got)
{
	struct sock *s = lookup(t, id, SOCK_UDP);
	*got = 0;
	if (!s)
		return SOCK_BADID;
	if (s->dq_len == 0)
		return SOCK_AGAIN;
	struct sock_udp_dgram *d = &s->dq[s->dq_head];
	s->dq_head = (uint16_t)((s->dq_head + 1) % SOCK_UDP_QUEUE);
	s->dq_len--;
	*got = pbuf_copy_partial(d->p, buf, (u16_t)LWIP_MIN(max, (size_t)d->p->tot_len), 0);
	*addr = d->addr;
	*port = d->port;
	pbuf_free(d->p);
	d->p = NULL;
	return SOCK_OK;
}

/* ---- release ---- */

int sock_release(struct sock_table *t, uint32_t id)
{
	struct sock *s = lookup(t, id, SOCK_FREE);
	if (!s)
		return SOCK_BADID;
	switch (s->kind) {
	case SOCK_LISTENER:
		/* Connections nobody accepted go with it. */
		for (uint16_t i = 0; i < s->npending; i++) {
			struct sock *c = lookup(t, s->pending[i], SOCK_TCP);
			if (c) {
				tcp_finish(c);
				free_slot(c);
				t->count.tcp--;
			}
		}
		tcp_close(s->pcb.tcp); /* a listening pcb closes at once */
		t->count.listeners--;
		break;
	case SOCK_TCP:
		tcp_finish(s);
		t->count.tcp--;
		break;
	case SOCK_UDP:
		udp_remove(s->pcb.udp);
		while (s->dq_len) {
			pbuf_free(s->dq[s->dq_head].p);
			s->dq_head = (uint16_t)((s->dq_head + 1) % SOCK_UDP_QUEUE);
			s->dq_len--;
		}
		t->count.udp--;
		break;
	case SOCK_FREE:
		return SOCK_BADID;
	}
	free_slot(s);
	t->count.freed_by_release++;
	t->events++;
	return SOCK_OK;
}
