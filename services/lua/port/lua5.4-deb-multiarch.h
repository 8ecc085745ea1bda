/*
 * Debian's lua5.4 build generates this header for luaconf.h (the
 * multiarch part of the C module path); the capOS build supplies it.
 * capOS has no module directories: the paths are never searched.
 */
#define DEB_HOST_MULTIARCH "x86_64-capos"
