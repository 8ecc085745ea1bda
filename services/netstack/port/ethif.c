/* An lwIP Ethernet netif over an ops struct: see ethif.h. */
#include "ethif.h"

#include "kstring.h"

#include "lwip/etharp.h"
#include "lwip/pbuf.h"
#include "netif/ethernet.h"

/* netif->linkoutput: flattens the pbuf chain into one frame and sends it. */
static err_t ethif_linkoutput(struct netif *netif, struct pbuf *p)
{
	struct ethif *e = netif->state;
	if (p->tot_len > sizeof e->tx_buf) {
		e->count.tx_too_big++;
		return ERR_BUF;
	}
	u16_t len = pbuf_copy_partial(p, e->tx_buf, p->tot_len, 0);
	if (e->ops->send(e->ctx, e->tx_buf, len) <= 0) {
		e->count.tx_failed++;
		return ERR_IF;
	}
	e->count.tx_frames++;
	e->count.tx_bytes += len;
	return ERR_OK;
}

static err_t ethif_init(struct netif *netif)
{
	struct ethif *e = netif->state;
	netif->hwaddr_len = ETH_HWADDR_LEN;
	memcpy(netif->hwaddr, e->mac, ETH_HWADDR_LEN);
	netif->mtu = 1500;
	netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
	netif->output = etharp_output;
	netif->linkoutput = ethif_linkoutput;
	return ERR_OK;
}

err_t ethif_add(struct ethif *e, const uint8_t mac[6], const struct ethif_ops *ops,
                void *ctx, const ip4_addr_t *addr, const ip4_addr_t *mask,
                const ip4_addr_t *gw, const char name[2])
{
	memset(e, 0, sizeof *e);
	memcpy(e->mac, mac, sizeof e->mac);
	e->ops = ops;
	e->ctx = ctx;
	e->netif.name[0] = name[0];
	e->netif.name[1] = name[1];
	if (!netif_add(&e->netif, addr, mask, gw, e, ethif_init, ethernet_input))
		return ERR_IF;
	netif_set_up(&e->netif);
	netif_set_link_up(&e->netif);
	return ERR_OK;
}

err_t ethif_input(struct ethif *e, const uint8_t *frame, size_t len)
{
	if (len < ETHIF_FRAME_MIN || len > ETHIF_FRAME_MAX) {
		e->count.rx_bad_len++;
		return ERR_VAL;
	}
	struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
	if (!p) {
		e->count.rx_no_pbuf++;
		return ERR_MEM;
	}
	pbuf_take(p, frame, (u16_t)len);
	e->count.rx_frames++;
	e->count.rx_bytes += len;
	err_t err = e->netif.input(p, &e->netif);
	if (err != ERR_OK) {
		/* The input function did not take the pbuf: it is ours to free. */
		e->count.rx_refused++;
		pbuf_free(p);
	}
	return err;
}
