/* check-netns.h - runs a test function in a child process inside a network
 * namespace of its own (which vanishes with the child), so tests of the OS
 * layer never touch the machine's interfaces. */
#pragma once

#include "check.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

/* Returns the exit status for automake: 0 pass, 77 skip (not root, or no
 * network namespaces), 99 hard error, else fail. The child gets timeout_sec. */
static inline int check_in_netns(void (*fn)(void), unsigned timeout_sec)
{
	int status;
	pid_t pid;

	if (geteuid() != 0) {
		printf("SKIP: needs root\n");
		return 77;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return 99;
	if (pid == 0) {
		if (unshare(CLONE_NEWNET) < 0) {
			printf("SKIP: unshare(CLONE_NEWNET): %s\n", strerror(errno));
			fflush(stdout);
			_exit(77);
		}
		alarm(timeout_sec);
		fn();
		fflush(stdout);
		_exit(check_exit());
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 99;
	if (WIFSIGNALED(status))
		fprintf(stderr, "test child killed by signal %d\n", WTERMSIG(status));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
