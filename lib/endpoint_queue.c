/* Intrusive FIFO for endpoint calls and receives (see endpoint_queue.h). */
#include "endpoint_queue.h"

void epq_push(struct epq *q, struct epq_node *n)
{
	n->next = 0;
	if (q->tail)
		q->tail->next = n;
	else
		q->head = n;
	q->tail = n;
	q->count++;
}

struct epq_node *epq_pop(struct epq *q)
{
	struct epq_node *n = q->head;
	if (n == 0)
		return 0;
	q->head = n->next;
	if (q->head == 0)
		q->tail = 0;
	n->next = 0;
	q->count--;
	return n;
}

bool epq_remove(struct epq *q, struct epq_node *n)
{
	struct epq_node *prev = 0;
	for (struct epq_node *it = q->head; it; prev = it, it = it->next) {
		if (it != n)
			continue;
		if (prev)
			prev->next = it->next;
		else
			q->head = it->next;
		if (q->tail == it)
			q->tail = prev;
		n->next = 0;
		q->count--;
		return true;
	}
	return false;
}
