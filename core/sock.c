/* Socket helpers shared by listeners, the CLI and connections. */
#include "sock.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "str.h"

int sock_set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);

    if (fl < 0)
        return -1;
    return (fl & O_NONBLOCK) ? 0 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

int sock_adopt_listener(int fd, int backlog, char **err)
{
    int type = 0, acc = 0;
    socklen_t len = sizeof(type);

    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
        return str_printf(err, "fd@%d is not an open socket: %s", fd, strerror(errno));
    if (type != SOCK_STREAM)
        return str_printf(err, "fd@%d is not a stream socket", fd);
    len = sizeof(acc);
    if ((getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) < 0 || !acc) &&
        listen(fd, backlog) < 0)
        return str_printf(err, "cannot listen on fd@%d: %s", fd, strerror(errno));
    if (sock_set_nonblock(fd) < 0)
        return str_printf(err, "cannot make fd@%d non-blocking: %s", fd, strerror(errno));
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    return fd;
}

int sock_bind_unix(const char *path, int backlog, int mode, int uid, int gid, char **err)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    struct stat st;
    int fd;

    if (strlen(path) >= sizeof(sun.sun_path))
        return str_printf(err, "UNIX socket path '%s' is too long", path);
    strcpy(sun.sun_path, path);
    /* A stale socket file from a previous run is replaced; any other file is not. */
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode))
            return str_printf(err, "cannot bind '%s': a file that is not a socket is there",
                              path);
        unlink(path);
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return str_printf(err, "cannot create socket: %s", strerror(errno));
    if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(fd, backlog) < 0) {
        str_printf(err, "cannot bind '%s': %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    if ((mode >= 0 && chmod(path, (mode_t)mode) < 0) ||
        ((uid >= 0 || gid >= 0) && chown(path, (uid_t)uid, (gid_t)gid) < 0)) {
        str_printf(err, "cannot set owner or mode of '%s': %s", path, strerror(errno));
        close(fd);
        unlink(path);
        return -1;
    }
    return fd;
}
