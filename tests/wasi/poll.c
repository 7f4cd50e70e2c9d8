/* poll_oneoff: relative and absolute clock timeouts, regular files ready
 * at once, stdin (a pipe run.sh feeds after a delay), errors per event. */
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "t.h"

#define MS 1000000ull

static __wasi_timestamp_t mono(void) {
  __wasi_timestamp_t t = 0;
  (void)__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t);
  return t;
}

static __wasi_subscription_t clock_sub(__wasi_userdata_t ud, __wasi_timestamp_t t,
                                       int abs) {
  __wasi_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = ud;
  s.u.tag = __WASI_EVENTTYPE_CLOCK;
  s.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  s.u.u.clock.timeout = t;
  s.u.u.clock.flags = abs ? __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME : 0;
  return s;
}

static __wasi_subscription_t fd_sub(__wasi_userdata_t ud, __wasi_fd_t fd, int write) {
  __wasi_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = ud;
  s.u.tag = write ? __WASI_EVENTTYPE_FD_WRITE : __WASI_EVENTTYPE_FD_READ;
  s.u.u.fd_read.file_descriptor = fd;
  return s;
}

int main(void) {
  __wasi_subscription_t in[4];
  __wasi_event_t out[4];
  __wasi_size_t n;
  /* relative 50 ms */
  __wasi_timestamp_t t0 = mono();
  in[0] = clock_sub(7, 50 * MS, 0);
  CHECK_ERR(__wasi_poll_oneoff(in, out, 1, &n), 0);
  CHECK_ERR(n, 1);
  CHECK_ERR(out[0].userdata, 7);
  CHECK_ERR(out[0].error, 0);
  CHECK_ERR(out[0].type, __WASI_EVENTTYPE_CLOCK);
  CHECK(mono() - t0 >= 50 * MS);
  /* absolute, 30 ms ahead; and one in the past fires at once */
  t0 = mono();
  in[0] = clock_sub(1, t0 + 30 * MS, 1);
  CHECK_ERR(__wasi_poll_oneoff(in, out, 1, &n), 0);
  CHECK(mono() >= t0 + 30 * MS);
  in[0] = clock_sub(2, 5, 1);
  CHECK_ERR(__wasi_poll_oneoff(in, out, 1, &n), 0);
  CHECK_ERR(n, 1);
  /* the earlier of two clocks wins */
  t0 = mono();
  in[0] = clock_sub(10, 2000 * MS, 0);
  in[1] = clock_sub(11, 20 * MS, 0);
  CHECK_ERR(__wasi_poll_oneoff(in, out, 2, &n), 0);
  CHECK_ERR(n, 1);
  CHECK_ERR(out[0].userdata, 11);
  CHECK(mono() - t0 < 1000 * MS);
  /* a regular file is ready at once, with the bytes left to read */
  int fd = open("p.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
  CHECK_ERR(write(fd, "0123456789", 10), 10);
  lseek(fd, 4, SEEK_SET);
  in[0] = fd_sub(20, (__wasi_fd_t)fd, 0);
  in[1] = clock_sub(21, 5000 * MS, 0);
  t0 = mono();
  CHECK_ERR(__wasi_poll_oneoff(in, out, 2, &n), 0);
  CHECK_ERR(n, 1);
  CHECK_ERR(out[0].userdata, 20);
  CHECK_ERR(out[0].type, __WASI_EVENTTYPE_FD_READ);
  CHECK_ERR(out[0].fd_readwrite.nbytes, 6);
  CHECK(mono() - t0 < 1000 * MS);
  close(fd);
  unlink("p.txt");
  /* a bad descriptor is an event carrying EBADF */
  in[0] = fd_sub(30, 99, 0);
  CHECK_ERR(__wasi_poll_oneoff(in, out, 1, &n), 0);
  CHECK_ERR(n, 1);
  CHECK_ERR(out[0].error, __WASI_ERRNO_BADF);
  /* no subscriptions; bad pointers; an unknown clock */
  CHECK_ERR(__wasi_poll_oneoff(in, out, 0, &n), __WASI_ERRNO_INVAL);
  CHECK_ERR(__wasi_poll_oneoff((__wasi_subscription_t *)FAR_PTR, out, 1, &n),
            __WASI_ERRNO_FAULT);
  in[0] = clock_sub(40, 0, 0);
  in[0].u.u.clock.id = 9;
  CHECK_ERR(__wasi_poll_oneoff(in, out, 1, &n), 0);
  CHECK_ERR(out[0].error, __WASI_ERRNO_INVAL);
  /* stdin: run.sh writes to it after ~300 ms; a 100 ms timeout comes first */
  in[0] = fd_sub(50, 0, 0);
  in[1] = clock_sub(51, 100 * MS, 0);
  CHECK_ERR(__wasi_poll_oneoff(in, out, 2, &n), 0);
  CHECK_ERR(n, 1);
  CHECK_ERR(out[0].userdata, 51);
  in[1] = clock_sub(51, 10000 * MS, 0);
  CHECK_ERR(__wasi_poll_oneoff(in, out, 2, &n), 0);
  CHECK_ERR(n, 1);
  CHECK_ERR(out[0].userdata, 50);
  CHECK(out[0].fd_readwrite.nbytes > 0);
  char buf[16];
  CHECK(read(0, buf, sizeof buf) > 0);
  /* stdout is writable */
  in[0] = fd_sub(60, 1, 1);
  CHECK_ERR(__wasi_poll_oneoff(in, out, 1, &n), 0);
  CHECK_ERR(out[0].type, __WASI_EVENTTYPE_FD_WRITE);
  /* libc poll() with a timeout */
  t0 = mono();
  CHECK_ERR(poll(NULL, 0, 20), 0);
  CHECK(mono() - t0 >= 20 * MS);
  /* sockets: none preopened */
  __wasi_fd_t s;
  CHECK_ERR(__wasi_sock_accept(1, 0, &s), __WASI_ERRNO_NOTSOCK);
  CHECK_ERR(__wasi_sock_accept(99, 0, &s), __WASI_ERRNO_BADF);
  CHECK_ERR(__wasi_sock_shutdown(1, __WASI_SDFLAGS_WR), __WASI_ERRNO_NOTSOCK);
  CHECK_ERR(__wasi_sock_shutdown(99, __WASI_SDFLAGS_WR), __WASI_ERRNO_BADF);
  __wasi_size_t got;
  __wasi_roflags_t rof;
  __wasi_iovec_t iv = {(uint8_t *)buf, 4};
  CHECK_ERR(__wasi_sock_recv(3, &iv, 1, 0, &got, &rof), __WASI_ERRNO_NOTSOCK);
  __wasi_ciovec_t cv = {(const uint8_t *)buf, 4};
  CHECK_ERR(__wasi_sock_send(99, &cv, 1, 0, &got), __WASI_ERRNO_BADF);
  return t_done("poll");
}
