/* pmtu.c - the path-MTU search (see pmtu.h). */
#include "config.h"

#include "pmtu.h"

#include <string.h>

void pmtu_start(struct pmtu *m, uint16_t floor, uint16_t ceiling)
{
	memset(m, 0, sizeof(*m));
	m->lo = floor < ceiling ? floor : ceiling;
	m->hi = (uint16_t)(ceiling + 1);
}

bool pmtu_done(const struct pmtu *m)
{
	return m->hi - m->lo <= PMTU_DONE_GAP && !m->n;
}

uint16_t pmtu_value(const struct pmtu *m)
{
	return m->lo;
}

/* Spreads the round evenly over (lo, top], top included. */
unsigned pmtu_round(struct pmtu *m, uint16_t sizes[PMTU_PARALLEL])
{
	uint16_t top = m->suspect ? m->suspect : (uint16_t)(m->hi - 1);
	unsigned gap, n = 0;

	if (m->n || m->hi - m->lo <= PMTU_DONE_GAP || top <= m->lo)
		return 0;
	gap = (unsigned)(top - m->lo);
	for (unsigned k = PMTU_PARALLEL; k >= 1; k--) {
		uint16_t s = (uint16_t)(m->lo + (gap * k + PMTU_PARALLEL - 1) / PMTU_PARALLEL);
		if (s > m->lo && (!n || s < m->sizes[n - 1]))
			m->sizes[n++] = s;
	}
	m->n = (uint8_t)n;
	m->acked = 0;
	m->rounds++;
	memcpy(sizes, m->sizes, n * sizeof(sizes[0]));
	return n;
}

void pmtu_ack(struct pmtu *m, uint16_t size)
{
	for (unsigned i = 0; i < m->n; i++)
		if (m->sizes[i] == size)
			m->acked |= (uint8_t)(1u << i);
}

/* Every size answered, or known too big since it was sent (the kernel
 * passed on an ICMP "fragmentation needed": pmtu_hint), so no timeout is
 * needed to end the round. */
bool pmtu_round_complete(const struct pmtu *m)
{
	if (!m->n)
		return false;
	for (unsigned i = 0; i < m->n; i++)
		if (!(m->acked & (1u << i)) && m->sizes[i] < m->hi)
			return false;
	return true;
}

void pmtu_round_end(struct pmtu *m)
{
	uint16_t lost_min = 0;
	unsigned lost = 0;

	for (unsigned i = 0; i < m->n; i++)
		if (m->acked & (1u << i) && m->sizes[i] > m->lo)
			m->lo = m->sizes[i];
	if (m->hi <= m->lo)
		m->hi = (uint16_t)(m->lo + 1); /* a hint was wrong: the path carried more */
	for (unsigned i = 0; i < m->n; i++) {
		if (m->acked & (1u << i) || m->sizes[i] <= m->lo)
			continue;
		lost++;
		if (!lost_min || m->sizes[i] < lost_min)
			lost_min = m->sizes[i];
	}
	/* two lost sizes above everything that passed, or a size lost twice:
	 * the path does not carry it; one lost size alone may be plain loss */
	if (lost >= 2 || (lost == 1 && lost_min == m->suspect)) {
		if (lost_min < m->hi)
			m->hi = lost_min;
		m->suspect = 0;
	} else if (lost == 1) {
		m->suspect = lost_min;
	}
	if (m->suspect && (m->suspect <= m->lo || m->suspect >= m->hi))
		m->suspect = 0;
	m->n = 0;
	m->acked = 0;
}

void pmtu_hint(struct pmtu *m, uint16_t mtu)
{
	if (mtu < m->lo)
		return; /* below what passed already: stale or forged */
	if (mtu + 1 < m->hi)
		m->hi = (uint16_t)(mtu + 1);
	if (m->suspect >= m->hi)
		m->suspect = 0;
}
