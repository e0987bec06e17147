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
	engine/session.c engine/session.h
engine_libmeshub_core_la_CFLAGS = $(prog_cflags) $(SODIUM_CFLAGS)
engine_libmeshub_core_la_LIBADD = $(SODIUM_LIBS)

bin_PROGRAMS += engine/meshub
engine_meshub_SOURCES = engine/meshub.c
engine_meshub_CFLAGS = $(prog_cflags) $(SODIUM_CFLAGS)
engine_meshub_LDFLAGS = $(prog_ldflags)
engine_meshub_LDADD = engine/libmeshub-core.la $(SODIUM_LIBS)

EXTRA_DIST += engine/PROTOCOL.md
