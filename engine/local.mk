## engine/: the protocol core (a convenience library the hub links too),
## the node daemon meshubd and the command-line tool meshub.

noinst_LTLIBRARIES += engine/libmeshub-core.la
engine_libmeshub_core_la_SOURCES = \
	engine/wire.c engine/wire.h \
	engine/noise.c engine/noise.h \
	engine/keys.c engine/keys.h \
	engine/advert.c engine/advert.h \
	engine/handshake.c engine/handshake.h \
	engine/replay.c engine/replay.h \
	engine/session.c engine/session.h \
	engine/endpoint.c engine/endpoint.h \
	engine/route.c engine/route.h \
	engine/icmp.c engine/icmp.h \
	engine/pmtu.c engine/pmtu.h \
	engine/offload.c engine/offload.h \
	engine/log.c engine/log.h \
	engine/loop.c engine/loop.h \
	engine/tun.h engine/netif.h
engine_libmeshub_core_la_CFLAGS = $(prog_cflags) $(SODIUM_CFLAGS)
engine_libmeshub_core_la_LIBADD = $(SODIUM_LIBS)

sbin_PROGRAMS += engine/meshubd
engine_meshubd_SOURCES = \
	engine/meshubd.c \
	engine/node.c engine/node.h \
	engine/node-setup.c \
	engine/peer.c \
	engine/hubclient.c \
	engine/lan.c \
	engine/control.c engine/control.h
engine_meshubd_CFLAGS = $(prog_cflags) $(SODIUM_CFLAGS) -pthread
engine_meshubd_LDFLAGS = $(prog_ldflags) -pthread
engine_meshubd_LDADD = engine/libmeshub-core.la $(SODIUM_LIBS) $(MNL_LIBS)

bin_PROGRAMS += engine/meshub
engine_meshub_SOURCES = engine/meshub.c
engine_meshub_CFLAGS = $(prog_cflags) $(SODIUM_CFLAGS)
engine_meshub_LDFLAGS = $(prog_ldflags)
engine_meshub_LDADD = engine/libmeshub-core.la $(SODIUM_LIBS)

EXTRA_DIST += engine/PROTOCOL.md

dist_man_MANS += engine/meshubd.8 engine/meshub.8

engineunitdir = $(systemdsystemunitdir)
engineunit_DATA = engine/meshubd@.service
EXTRA_DIST += engine/meshubd@.service.in
CLEANFILES += engine/meshubd@.service
engine/meshubd@.service: engine/meshubd@.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) engine && \
	$(SED) -e 's|@sbindir[@]|$(sbindir)|g' $(srcdir)/engine/meshubd@.service.in >$@.tmp && mv $@.tmp $@
