/* sdnotify.h - systemd's readiness protocol (sd_notify(3)) for meshubd and
 * meshub-hub: datagrams to $NOTIFY_SOCKET, a path or an abstract name. */
#pragma once

/* Opens and connects the socket if $NOTIFY_SOCKET names one, and removes
 * the variable (children never see it). Call before dropping privileges. */
void sdnotify_open(void);
/* Sends state ("READY=1", "RELOADING=1", "STOPPING=1"); nothing without a
 * socket. */
void sdnotify(const char *state);
