/* xtype.c - a user at the keyboard, for GUI tests under Xvfb: finds the
 * top-level window whose title contains TITLE (waiting for it), gives it the
 * focus and then runs each action in turn with real key events (XTest):
 *   type:TEXT   types TEXT (ASCII)
 *   key:NAME    presses a key by its X name (Return, Escape, ...)
 *   shot:FILE   saves the window as a PNG once what it shows is steady
 *   gone        waits until no such window is left
 *   again       waits for the window to be shown anew (a new dialog)
 * Usage: xtype TITLE ACTION...  Exit status 0, or 1 with a message. */
#include "config.h"

#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/XKBlib.h>
#include <X11/extensions/XTest.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WAIT_MS 20000 /* for a window to show or go */
#define STEADY_MS 300 /* a picture unchanged this long is what the window shows */
#define POLL_MS 50

static Display *dpy;
static const char *title;

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void pause_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

__attribute__((format(printf, 1, 2))) static int fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "xtype: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	return 1;
}

/* A viewable top-level window whose title contains the wanted one, or 0. */
static Window find_window(void)
{
	Window root_ret, parent, *children = NULL, found = 0;
	unsigned n = 0;

	if (!XQueryTree(dpy, DefaultRootWindow(dpy), &root_ret, &parent, &children, &n))
		return 0;
	for (unsigned i = n; i-- > 0 && !found;) {
		XWindowAttributes wa;
		char *name = NULL;

		if (!XGetWindowAttributes(dpy, children[i], &wa) || wa.map_state != IsViewable)
			continue;
		if (XFetchName(dpy, children[i], &name) && name && strstr(name, title))
			found = children[i];
		XFree(name);
	}
	XFree(children);
	return found;
}

static Window wait_window(Window not)
{
	for (long end = now_ms() + WAIT_MS; now_ms() < end; pause_ms(POLL_MS)) {
		Window w = find_window();

		if (w && w != not)
			return w;
	}
	return 0;
}

static int wait_gone(void)
{
	for (long end = now_ms() + WAIT_MS; now_ms() < end; pause_ms(POLL_MS))
		if (!find_window())
			return 0;
	return fail("a window titled '%s' is still there", title);
}

/* No window manager: the focus is set directly, the pointer put inside. */
static void focus(Window w)
{
	XWindowAttributes wa;
	int x = 0, y = 0;
	Window child;

	XGetWindowAttributes(dpy, w, &wa);
	XTranslateCoordinates(dpy, w, DefaultRootWindow(dpy), wa.width / 2, wa.height / 2, &x, &y, &child);
	XTestFakeMotionEvent(dpy, DefaultScreen(dpy), x, y, CurrentTime);
	XSetInputFocus(dpy, w, RevertToParent, CurrentTime);
	XSync(dpy, False);
}

static int press(KeySym sym)
{
	KeyCode code = XKeysymToKeycode(dpy, sym), shift = XKeysymToKeycode(dpy, XK_Shift_L);
	int shifted;

	if (!code)
		return -1;
	shifted = XkbKeycodeToKeysym(dpy, code, 0, 0) != sym && XkbKeycodeToKeysym(dpy, code, 0, 1) == sym;
	if (shifted)
		XTestFakeKeyEvent(dpy, shift, True, CurrentTime);
	XTestFakeKeyEvent(dpy, code, True, CurrentTime);
	XTestFakeKeyEvent(dpy, code, False, CurrentTime);
	if (shifted)
		XTestFakeKeyEvent(dpy, shift, False, CurrentTime);
	XSync(dpy, False);
	return 0;
}

static int type_text(const char *text)
{
	for (const char *c = text; *c; c++) {
		char one[2] = {*c, '\0'};

		if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e || press((KeySym)(unsigned char)*c) < 0)
			return fail("cannot type '%s'", one);
	}
	return 0;
}

static XImage *grab(Window w)
{
	XWindowAttributes wa;

	if (!XGetWindowAttributes(dpy, w, &wa))
		return NULL;
	return XGetImage(dpy, w, 0, 0, (unsigned)wa.width, (unsigned)wa.height, AllPlanes, ZPixmap);
}

static int same(const XImage *a, const XImage *b)
{
	return a->width == b->width && a->height == b->height && a->bytes_per_line == b->bytes_per_line &&
	       !memcmp(a->data, b->data, (size_t)a->bytes_per_line * (size_t)a->height);
}

static unsigned channel(unsigned long pixel, unsigned long mask)
{
	int shift = 0;

	if (!mask)
		return 0;
	while (!(mask & 1)) {
		mask >>= 1;
		shift++;
	}
	return (unsigned)(((pixel >> shift) & mask) * 255 / mask);
}

static int save_png(XImage *img, const char *path)
{
	GdkPixbuf *pb = gdk_pixbuf_new(GDK_COLORSPACE_RGB, FALSE, 8, img->width, img->height);
	GError *error = NULL;
	int ret = 0;

	for (int y = 0; y < img->height; y++) {
		guchar *row = gdk_pixbuf_get_pixels(pb) + y * gdk_pixbuf_get_rowstride(pb);

		for (int x = 0; x < img->width; x++) {
			unsigned long p = XGetPixel(img, x, y);

			row[3 * x] = (guchar)channel(p, img->red_mask);
			row[3 * x + 1] = (guchar)channel(p, img->green_mask);
			row[3 * x + 2] = (guchar)channel(p, img->blue_mask);
		}
	}
	if (!gdk_pixbuf_save(pb, path, "png", &error, NULL)) {
		ret = fail("cannot save the screenshot: %s", error->message);
		g_error_free(error);
	}
	g_object_unref(pb);
	return ret;
}

/* Waits until the window's picture has not changed for STEADY_MS. */
static int shot(Window w, const char *path)
{
	XImage *last = grab(w), *cur;
	long end = now_ms() + WAIT_MS, steady = now_ms();
	int ret;

	if (!last)
		return fail("cannot read the window for %s", path);
	while (now_ms() - steady < STEADY_MS) {
		if (now_ms() > end) {
			XDestroyImage(last);
			return fail("the window never stopped changing (%s)", path);
		}
		pause_ms(POLL_MS);
		cur = grab(w);
		if (!cur)
			break;
		if (!same(cur, last))
			steady = now_ms();
		XDestroyImage(last);
		last = cur;
	}
	ret = save_png(last, path);
	if (ret == 0)
		printf("# screenshot %dx%d: %s\n", last->width, last->height, path);
	XDestroyImage(last);
	return ret;
}

static int act(Window *w, const char *a)
{
	if (!strncmp(a, "type:", 5))
		return type_text(a + 5);
	if (!strncmp(a, "key:", 4)) {
		KeySym sym = XStringToKeysym(a + 4);
		return sym == NoSymbol || press(sym) < 0 ? fail("no key '%s'", a + 4) : 0;
	}
	if (!strncmp(a, "shot:", 5))
		return shot(*w, a + 5);
	if (!strcmp(a, "gone"))
		return wait_gone();
	if (!strcmp(a, "again")) {
		*w = wait_window(*w);
		if (!*w)
			return fail("no new window titled '%s' appeared", title);
		focus(*w);
		return 0;
	}
	return fail("unknown action '%s'", a);
}

int main(int argc, char **argv)
{
	int event, error, major, minor, ret = 0;
	Window w;

	if (argc < 3)
		return fail("%s", "usage: xtype TITLE ACTION...");
	title = argv[1];
	dpy = XOpenDisplay(NULL);
	if (!dpy)
		return fail("cannot open the display '%s'", getenv("DISPLAY") ? getenv("DISPLAY") : "");
	if (!XTestQueryExtension(dpy, &event, &error, &major, &minor))
		return fail("%s", "the X server has no XTest extension");
	w = wait_window(0);
	if (!w)
		return fail("no window titled '%s' appeared", title);
	focus(w);
	for (int i = 2; i < argc && ret == 0; i++)
		ret = act(&w, argv[i]);
	XCloseDisplay(dpy);
	return ret;
}
