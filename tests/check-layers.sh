#!/bin/bash
# check-layers.sh - the engine's calls go one way: no include cycle among
# its modules (a module is NAME.h with NAME.c and its platform halves
# NAME-linux.c, NAME-darwin.c, ...). Lists every cycle found and fails.
set -u
src=${srcdir:-$(dirname "$0")/..}
cd "$src/engine" || exit 99
# edges "module -> included module" from every file's #include "x.h"
for f in *.c *.h; do
	mod=${f%.*}
	[ -f "${mod%%-*}.h" ] && [ "$mod" != "${mod%%-*}" ] && mod=${mod%%-*}
	sed -n 's/^#include "\([a-z0-9_-]*\)\.h".*/\1/p' "$f" | while read -r inc; do
		[ "$inc" = config ] && continue
		[ "$inc" = "$mod" ] && continue
		echo "$mod $inc"
	done
done | sort -u | awk '
	{ adj[$1] = adj[$1] " " $2; nodes[$1] = 1; nodes[$2] = 1 }
	function dfs(n, path,   i, k, m, parts) {
		state[n] = 1
		k = split(adj[n], parts, " ")
		for (i = 1; i <= k; i++) {
			m = parts[i]
			if (state[m] == 1) { print "include cycle: " path " -> " m; bad = 1 }
			else if (state[m] == 0) dfs(m, path " -> " m)
		}
		state[n] = 2
	}
	END {
		for (n in nodes) state[n] = 0
		for (n in nodes) if (state[n] == 0) dfs(n, n)
		if (bad) exit 1
		print "no include cycle among " length(nodes) " engine modules"
	}'
