/* WASI poll_oneoff and the sock_* functions (on preopened sockets and the
 * connections accepted from them). */
#include "runtime/wasi_int.h"

#include <stdlib.h>

enum { EVENT_CLOCK = 0, EVENT_FD_READ = 1, EVENT_FD_WRITE = 2 };
enum { SUBCLOCK_ABSTIME = 1 };
enum { EVENTRW_HANGUP = 1 };
enum { SUB_SIZE = 48, EVENT_SIZE = 32 };

/* One subscription, decoded. */
typedef struct {
  uint64_t userdata;
  uint8_t tag;
  uint16_t error;     /* reported at once when non-zero */
  bool ready;         /* goes into the output */
  uint64_t deadline;  /* clock: monotonic ns */
  wasi_fd *fd;        /* fd_read / fd_write */
  size_t poll_index;  /* index into the os_pollfd array, or SIZE_MAX */
  uint64_t nbytes;
  uint16_t flags;
} sub;

static uint64_t sat_add(uint64_t a, uint64_t b) {
  return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* Turns a clock subscription into a deadline on the monotonic clock. witx
 * subscription_clock: `timeout` is relative unless subclockflags has
 * abstime, in which case it is a time of clock `id`. */
static int clock_deadline(uint32_t id, uint64_t timeout, uint16_t flags,
                          uint64_t now_mono, uint64_t *deadline) {
  if (id > 3) return WASI_EINVAL;
  if (!(flags & SUBCLOCK_ABSTIME)) {
    *deadline = sat_add(now_mono, timeout);
    return WASI_ESUCCESS;
  }
  uint64_t now;
  int err = os_clock_time((int)id, &now);
  if (err) return err;
  *deadline = timeout <= now ? now_mono : sat_add(now_mono, timeout - now);
  return WASI_ESUCCESS;
}

/* poll_oneoff(in, out, nsubscriptions, *nevents): subscriptions are 48
 * bytes (userdata u64 @0, tag u8 @8, clock {id u32 @16, timeout u64 @24,
 * precision u64 @32, flags u16 @40} | fd_readwrite {fd u32 @16}), events 32
 * bytes (userdata u64 @0, error u16 @8, type u8 @10, fd_readwrite
 * {nbytes u64 @16, flags u16 @24}). Waits until at least one subscription
 * is satisfied; reports every one that is. Zero subscriptions would wait
 * forever: EINVAL (as wasmtime). */
WASI_FN(poll_oneoff) {
  rt_wasi *w = env;
  uint32_t n = A32(2);
  sub *subs = NULL;
  os_pollfd *pfds = NULL;
  size_t npfds = 0;
  int err = WASI_ESUCCESS;
  const uint8_t *in = wasi_mem(w, A32(0), (uint64_t)n * SUB_SIZE);
  uint8_t *out = wasi_mem(w, A32(1), (uint64_t)n * EVENT_SIZE);
  if (n == 0) {
    err = WASI_EINVAL;
    goto done;
  }
  if (!in || !out || !wasi_mem(w, A32(3), 4)) {
    err = WASI_EFAULT;
    goto done;
  }
  if (!(subs = calloc(n, sizeof *subs)) || !(pfds = calloc(n, sizeof *pfds))) {
    err = WASI_ENOMEM;
    goto done;
  }
  uint64_t now;
  if ((err = os_clock_time(1, &now))) goto done;
  bool immediate = false;
  uint64_t earliest = UINT64_MAX;
  for (uint32_t i = 0; i < n; i++) {
    const uint8_t *s = in + (size_t)i * SUB_SIZE;
    sub *u = &subs[i];
    u->userdata = wasi_get64(s);
    u->tag = s[8];
    u->poll_index = SIZE_MAX;
    if (u->tag == EVENT_CLOCK) {
      int e = clock_deadline(wasi_get32(s + 16), wasi_get64(s + 24),
                             wasi_get16(s + 40), now, &u->deadline);
      if (e) u->error = (uint16_t)e;
      else if (u->deadline < earliest) earliest = u->deadline;
    } else if (u->tag == EVENT_FD_READ || u->tag == EVENT_FD_WRITE) {
      wasi_fd *e;
      int fe = wasi_fd_get(w, wasi_get32(s + 16), WASI_RIGHT(R_POLL_FD_READWRITE), &e);
      if (fe) u->error = (uint16_t)fe;
      else if (e->type == OS_FT_REGULAR_FILE) {
        /* Files are always ready (POSIX poll says so too); for reading,
         * nbytes is what is left before the end (as wasmtime). */
        os_stat st;
        uint64_t pos = 0;
        u->ready = true;
        if (u->tag == EVENT_FD_READ && !wasi_vfs_fstat(e->h, &st) &&
            !wasi_vfs_seek(e->h, 0, 1, &pos))
          u->nbytes = st.size > pos ? st.size - pos : 0;
      } else {
        u->fd = e;
        u->poll_index = npfds;
        pfds[npfds].fd = e->h;
        pfds[npfds].events = u->tag == EVENT_FD_READ ? OS_POLL_READ : OS_POLL_WRITE;
        npfds++;
      }
    } else {
      err = WASI_EINVAL;
      goto done;
    }
    if (u->error || u->ready) immediate = true;
  }
  uint64_t timeout = immediate ? 0
                     : earliest == UINT64_MAX ? UINT64_MAX
                     : earliest > now ? earliest - now : 0;
  if (npfds || timeout) {
    if ((err = os_poll(pfds, npfds, timeout))) goto done;
  }
  if ((err = os_clock_time(1, &now))) goto done;
  uint32_t nev = 0;
  for (uint32_t i = 0; i < n; i++) {
    sub *u = &subs[i];
    if (u->poll_index != SIZE_MAX) {
      uint8_t re = pfds[u->poll_index].revents;
      if (re) u->ready = true;
      /* Data can still be there after the writer hung up. */
      if (re & OS_POLL_HUP) u->flags = EVENTRW_HANGUP;
      uint64_t k = 0;
      if (u->tag == EVENT_FD_READ && (re & (OS_POLL_READ | OS_POLL_HUP)) &&
          !wasi_vfs_readable(u->fd->h, &k))
        u->nbytes = k;
    }
  }
  for (uint32_t i = 0; i < n; i++) {
    sub *u = &subs[i];
    if (u->tag == EVENT_CLOCK && !u->error && u->deadline <= now)
      u->ready = true;
    if (!u->ready && !u->error) continue;
    uint8_t *ev = out + (size_t)nev++ * EVENT_SIZE;
    memset(ev, 0, EVENT_SIZE);
    wasi_put64(ev, u->userdata);
    wasi_put16(ev + 8, u->error);
    ev[10] = u->tag;
    if (u->tag != EVENT_CLOCK) {
      wasi_put64(ev + 16, u->nbytes);
      wasi_put16(ev + 24, u->flags);
    }
  }
  wasi_store32(w, A32(3), nev);
done:
  free(subs);
  free(pfds);
  RET(err);
}

/* ---- sockets ---- */

/* A socket descriptor: EBADF when fd is not open, ENOTSOCK when it is not
 * a socket, then the rights check. */
static int get_sock(rt_wasi *w, uint32_t fd, uint64_t rights, wasi_fd **out) {
  if (fd < w->nfds && w->fds[fd] && w->fds[fd]->type != OS_FT_SOCKET_STREAM &&
      w->fds[fd]->type != OS_FT_SOCKET_DGRAM)
    return WASI_ENOTSOCK;
  return wasi_fd_get(w, fd, rights, out);
}

/* sock_accept(fd, flags: fdflags, *fd): only nonblock is meaningful on the
 * new connection (witx). */
WASI_FN(sock_accept) {
  rt_wasi *w = env;
  wasi_fd *e, *ent = NULL;
  os_fd h = OS_FD_NONE;
  uint32_t fd;
  int err = get_sock(w, A32(0), WASI_RIGHT(R_SOCK_ACCEPT), &e);
  if (!err && (A32(1) & ~(uint32_t)FDFLAG_NONBLOCK)) err = WASI_EINVAL;
  if (!err && !wasi_mem(w, A32(2), 4)) err = WASI_EFAULT;
  if (!err) err = os_sock_accept(e->h, A32(1) & FDFLAG_NONBLOCK, &h);
  if (!err && !(ent = wasi_fd_new(h, OS_FT_SOCKET_STREAM,
                                   WASI_RIGHTS_STREAM | WASI_RIGHT(R_SOCK_SHUTDOWN),
                                   0)))
    err = WASI_ENOMEM;
  if (!err) {
    h = OS_FD_NONE;
    if (!(err = wasi_fd_insert(w, ent, &fd))) {
      ent = NULL;
      wasi_store32(w, A32(2), fd);
    }
  }
  if (h != OS_FD_NONE) wasi_vfs_close(h);
  wasi_fd_free(ent);
  RET(err);
}

/* sock_recv(fd, ri_data, ri_data_len, ri_flags, *ro_datalen, *ro_flags). */
WASI_FN(sock_recv) {
  rt_wasi *w = env;
  wasi_fd *e;
  os_iov *v = NULL;
  size_t done = 0;
  int err = get_sock(w, A32(0), WASI_RIGHT(R_FD_READ), &e);
  if (!err && A32(3) > 3) err = WASI_EINVAL;
  if (!err && (!wasi_mem(w, A32(4), 4) || !wasi_mem(w, A32(5), 2)))
    err = WASI_EFAULT;
  if (!err) err = wasi_iovs(w, A32(1), A32(2), &v);
  if (!err) err = os_sock_recv(e->h, v, A32(2), (int)A32(3), &done);
  if (!err) {
    wasi_store32(w, A32(4), (uint32_t)done);
    wasi_put16(wasi_mem(w, A32(5), 2), 0); /* stream sockets never truncate */
  }
  free(v);
  RET(err);
}

/* sock_send(fd, si_data, si_data_len, si_flags, *so_datalen): witx
 * defines no si_flags bits yet. */
WASI_FN(sock_send) {
  rt_wasi *w = env;
  wasi_fd *e;
  os_iov *v = NULL;
  size_t done = 0;
  int err = get_sock(w, A32(0), WASI_RIGHT(R_FD_WRITE), &e);
  if (!err && A32(3)) err = WASI_EINVAL;
  if (!err && !wasi_mem(w, A32(4), 4)) err = WASI_EFAULT;
  if (!err) err = wasi_iovs(w, A32(1), A32(2), &v);
  if (!err) err = os_sock_send(e->h, v, A32(2), &done);
  if (!err) wasi_store32(w, A32(4), (uint32_t)done);
  free(v);
  RET(err);
}

/* sock_shutdown(fd, how: sdflags rd=1 | wr=2). */
WASI_FN(sock_shutdown) {
  wasi_fd *e;
  int err = get_sock(env, A32(0), WASI_RIGHT(R_SOCK_SHUTDOWN), &e);
  if (!err && (A32(1) == 0 || A32(1) > 3)) err = WASI_EINVAL;
  RET(err ? err : os_sock_shutdown(e->h, (int)A32(1)));
}
