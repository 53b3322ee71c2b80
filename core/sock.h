/* Socket helpers shared by listeners, the CLI and connections. Every function returns a
 * descriptor (or 0) on success and -1 with *err set; none prints. */
#ifndef SLUICE_CORE_SOCK_H
#define SLUICE_CORE_SOCK_H

#include <sys/socket.h>

/* Sets O_NONBLOCK. Returns 0 or -1 (errno set). */
int sock_set_nonblock(int fd);

/* Adopts an inherited socket (fd@N): it must be a stream socket; it is made listening (with
 * backlog) and non-blocking if it is not yet. Returns fd. */
int sock_adopt_listener(int fd, int backlog, char **err);

/* Binds and listens on a UNIX path, replacing a stale socket file (never another kind of
 * file), then applies mode (if >= 0) and owner (uid/gid if >= 0). Returns the fd. */
int sock_bind_unix(const char *path, int backlog, int mode, int uid, int gid, char **err);

#endif
