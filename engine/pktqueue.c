/* pktqueue.c - the node's pool of queued packets (see pktqueue.h). */
#include "config.h"

#include "pktqueue.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define END UINT16_MAX

int pktpool_init(struct pktpool *p, unsigned n, size_t buf_size)
{
	memset(p, 0, sizeof(*p));
	if (!n || n >= END || buf_size > UINT16_MAX)
		return -EINVAL;
	p->bufs = malloc((size_t)n * buf_size);
	p->next = calloc(n, sizeof(*p->next));
	p->len = calloc(n, sizeof(*p->len));
	if (!p->bufs || !p->next || !p->len) {
		pktpool_free(p);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < n; i++)
		p->next[i] = (uint16_t)(i + 1 < n ? i + 1 : END);
	p->free_head = 0;
	p->n = n;
	p->buf_size = buf_size;
	return 0;
}

void pktpool_free(struct pktpool *p)
{
	free(p->bufs);
	free(p->next);
	free(p->len);
	memset(p, 0, sizeof(*p));
}

void pktq_init(struct pktq *q)
{
	q->head = q->tail = END;
	q->n = 0;
}

int pktq_push(struct pktpool *p, struct pktq *q, unsigned max, const uint8_t *pkt, size_t len)
{
	int dropped = 0;
	uint16_t i;

	if (len > p->buf_size || !max)
		return -ENOBUFS;
	if (q->n >= max) {
		pktq_pop(p, q);
		dropped = 1;
	}
	if (p->free_head == END)
		return -ENOBUFS;
	i = p->free_head;
	p->free_head = p->next[i];
	p->in_use++;
	memcpy(p->bufs + (size_t)i * p->buf_size, pkt, len);
	p->len[i] = (uint16_t)len;
	p->next[i] = END;
	if (q->tail == END)
		q->head = i;
	else
		p->next[q->tail] = i;
	q->tail = i;
	q->n++;
	return dropped;
}

const uint8_t *pktq_peek(const struct pktpool *p, const struct pktq *q, size_t *len)
{
	if (q->head == END)
		return NULL;
	*len = p->len[q->head];
	return p->bufs + (size_t)q->head * p->buf_size;
}

void pktq_pop(struct pktpool *p, struct pktq *q)
{
	uint16_t i = q->head;

	if (i == END)
		return;
	q->head = p->next[i];
	if (q->head == END)
		q->tail = END;
	q->n--;
	p->next[i] = p->free_head;
	p->free_head = i;
	p->in_use--;
}

void pktq_clear(struct pktpool *p, struct pktq *q)
{
	while (q->n)
		pktq_pop(p, q);
}
