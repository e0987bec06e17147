# meshub-cflags.m4: probe compiler flags one by one.
#
# MESHUB_CHECK_CFLAGS(VARIABLE, FLAGS)
# Appends to VARIABLE every flag of FLAGS that the C compiler accepts and links
# with (tested with -Werror so an "unknown option" warning counts as no).
AC_DEFUN([MESHUB_CHECK_CFLAGS], [
	for meshub_flag in $2; do
		AS_VAR_PUSHDEF([meshub_cache], [meshub_cv_cflag_$meshub_flag])
		AC_CACHE_CHECK([whether $CC accepts $meshub_flag], [meshub_cache], [
			meshub_save_CFLAGS=$CFLAGS
			CFLAGS="$CFLAGS -Werror $meshub_flag"
			AC_LINK_IFELSE([AC_LANG_PROGRAM([], [return 0;])],
				[AS_VAR_SET([meshub_cache], [yes])],
				[AS_VAR_SET([meshub_cache], [no])])
			CFLAGS=$meshub_save_CFLAGS
		])
		AS_VAR_IF([meshub_cache], [yes], [$1="$$1 $meshub_flag"])
		AS_VAR_POPDEF([meshub_cache])
	done
])
