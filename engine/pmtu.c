/* pmtu.c - binary search for an edge's path MTU. */
#include "config.h"

#include "pmtu.h"

void pmtu_start(struct pmtu *m, uint16_t floor, uint16_t ceiling)
{
	m->lo = floor < ceiling ? floor : ceiling;
	m->hi = (uint16_t)(ceiling + 1);
	m->probing = 0;
	m->tries = 0;
	m->probe_id = 0;
	m->first = true;
}

bool pmtu_done(const struct pmtu *m)
{
	return m->hi - m->lo <= 1;
}

uint16_t pmtu_next(struct pmtu *m, uint32_t probe_id)
{
	if (pmtu_done(m))
		return 0;
	/* the ceiling first (most paths carry it), then halve the interval */
	if (!m->probing)
		m->probing = m->first ? (uint16_t)(m->hi - 1) : (uint16_t)((m->lo + m->hi) / 2);
	m->first = false;
	m->probe_id = probe_id;
	return m->probing;
}

void pmtu_ack(struct pmtu *m, uint32_t probe_id)
{
	if (!m->probing || probe_id != m->probe_id)
		return;
	m->lo = m->probing;
	m->probing = 0;
	m->tries = 0;
}

void pmtu_timeout(struct pmtu *m)
{
	if (!m->probing)
		return;
	if (++m->tries < PMTU_TRIES)
		return; /* the same size again: it may just have been lost */
	m->hi = m->probing;
	m->probing = 0;
	m->tries = 0;
}

uint16_t pmtu_value(const struct pmtu *m)
{
	return m->lo;
}
