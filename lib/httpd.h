/*
 * The HTTP server's logic without its I/O (services/httpd does the
 * capability calls; tests/host/test_httpd.c drives the same code): a table
 * of connections with bounded buffers, one deadline each, the routes
 * (/, /status, /shutdown) and the counters /status reports.
 *
 * The caller owns the sockets.  For connection i it asks httpd_want: read
 * (then httpd_input with what came, at most httpd_room bytes), write
 * (httpd_output gives the bytes; httpd_sent says how many went) or close
 * (drop the socket, then httpd_close).  httpd_poll, called with the time
 * on every turn, closes what passed its deadline.
 *
 * Deadlines are not extended by bytes arriving, so a client that trickles
 * a request byte by byte (slowloris) is dropped when the request's time
 * is up, however often it sends:
 *   - idle: from accepting, or from the end of the last response, until
 *     the first byte of the next request;
 *   - request: from that first byte until the request is whole;
 *   - send: from the start of a response until the client took all of it.
 */
#ifndef CAPOS_LIB_HTTPD_H
#define CAPOS_LIB_HTTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http.h"

#define HTTPD_CONNS_MAX 64u                                 /* the table; the configured limit may be lower */
#define HTTPD_IN_BYTES  (HTTP_LIMIT_HEAD + HTTP_LIMIT_BODY) /* any request the limits allow fits */
#define HTTPD_OUT_BYTES 4096u                               /* one response (the page is the largest) */
#define HTTPD_TOKEN_MAX 64u

struct httpd_config {
	uint32_t max_conns;              /* open at once, 1..HTTPD_CONNS_MAX; more are refused */
	uint64_t idle_timeout_ns;        /* waiting for a request's first byte */
	uint64_t request_timeout_ns;     /* from a request's first byte to its last */
	uint64_t send_timeout_ns;        /* a response not taken by the client */
	uint16_t port;                   /* for the page only */
	char token[HTTPD_TOKEN_MAX + 1]; /* /shutdown?token=; "" = no /shutdown */
};

/* What the server knows of the system (from a read-only SystemMonitor). */
struct httpd_sysinfo {
	uint64_t frames_free;
	uint64_t frames_total;
	uint32_t processes;
};

struct httpd_ops {
	/* The system figures of /status; false when the server has no way to
	 * know them (they are then null in the JSON). */
	bool (*sysinfo)(void *ctx, struct httpd_sysinfo *out);
	/* One log line, without its newline. */
	void (*log)(void *ctx, const char *line);
};

enum httpd_state { HTTPD_FREE,
	           HTTPD_READING,
	           HTTPD_WRITING,
	           HTTPD_CLOSING };
enum httpd_want { HTTPD_WANT_NOTHING,
	          HTTPD_WANT_READ,
	          HTTPD_WANT_WRITE,
	          HTTPD_WANT_CLOSE };

struct httpd_conn {
	enum httpd_state state;
	uint32_t serial; /* the connection's number in the log */
	uint32_t addr;   /* the peer, for the log */
	uint16_t port;
	bool started;     /* a request's first byte is in `in` */
	bool peer_closed; /* the client sent EOF */
	bool close_after; /* close once `out` is sent */
	uint32_t requests;
	int status; /* of the last response */
	uint64_t deadline;
	const char *why; /* why it is closing, for the log */
	struct http_parser parser;
	size_t in_len, out_len, out_sent;
	char in[HTTPD_IN_BYTES];
	char out[HTTPD_OUT_BYTES];
};

struct httpd_stats {
	uint64_t accepted; /* connections taken */
	uint64_t refused;  /* closed at once: the table was full, or stopping */
	uint64_t closed;
	uint64_t requests; /* answered, whatever the status */
	uint64_t bad;      /* answered with 4xx/5xx because the request was refused */
	uint64_t timeouts; /* closed at a deadline */
	uint32_t open;
	uint32_t peak;
};

struct httpd {
	struct httpd_config cfg;
	const struct httpd_ops *ops;
	void *ctx;
	uint64_t start_ns;
	bool stopping; /* /shutdown was asked with the right token */
	uint32_t next_serial;
	struct httpd_stats st;
	struct httpd_conn conns[HTTPD_CONNS_MAX];
};

/* Starts the server at time now; cfg->max_conns is clamped to 1..HTTPD_CONNS_MAX. */
void httpd_init(struct httpd *h, const struct httpd_config *cfg, const struct httpd_ops *ops,
                void *ctx, uint64_t now);

/* A connection accepted from addr:port: its index, or -1 when it is
 * refused (the caller closes it at once; counted). */
int httpd_open(struct httpd *h, uint32_t addr, uint16_t port, uint64_t now);

enum httpd_want httpd_want(const struct httpd *h, int i);
/* How many bytes connection i can take now (read no more than this). */
size_t httpd_room(const struct httpd *h, int i);
/* Bytes received on i (at most httpd_room), and whether the client closed. */
void httpd_input(struct httpd *h, int i, const void *data, size_t len, bool eof, uint64_t now);
/* The bytes to send on i. */
size_t httpd_output(const struct httpd *h, int i, const char **data);
/* n of them were taken by the stack. */
void httpd_sent(struct httpd *h, int i, size_t n, uint64_t now);
/* The connection's socket failed (reset, gone): close it. */
void httpd_fail(struct httpd *h, int i, const char *why);
/* The caller dropped i's socket: the slot is free again. */
void httpd_close(struct httpd *h, int i);

/* Closes what passed its deadline and, once stopping, every connection
 * waiting for a request. */
void httpd_poll(struct httpd *h, uint64_t now);
/* The earliest deadline of an open connection, or UINT64_MAX. */
uint64_t httpd_next_deadline(const struct httpd *h);
/* Stopping and nothing open: the service may exit. */
bool httpd_done(const struct httpd *h);

/* Is `a` the same as the NUL-terminated `b`, in time that depends only
 * on a's length (the token is not guessed a byte at a time)? */
bool httpd_token_eq(struct http_slice a, const char *b);

#endif
