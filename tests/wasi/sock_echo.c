/* Sockets: the preopened listener is fd 3 (ferry run --tcplisten). Accepts
 * one connection, reads a line, sends it back upper-cased, shuts the
 * connection down; checks errno values of sock_* on non-sockets and after
 * shutdown. The driver (run.sh) is the client. */
#include "t.h"

int main(void) {
  __wasi_fd_t conn = 0;
  /* Not a socket: stdout. */
  CHECK_ERR(__wasi_sock_accept(1, 0, &conn), __WASI_ERRNO_NOTSOCK);
  CHECK_ERR(__wasi_sock_accept(99, 0, &conn), __WASI_ERRNO_BADF);

  CHECK_ERR(__wasi_sock_accept(3, 0, &conn), 0);
  char buf[64];
  size_t got = 0;
  while (got < sizeof buf && (got == 0 || buf[got - 1] != '\n')) {
    __wasi_iovec_t iov = {(uint8_t *)buf + got, sizeof buf - got};
    __wasi_size_t n = 0;
    __wasi_roflags_t ro = 0;
    CHECK_ERR(__wasi_sock_recv(conn, &iov, 1, 0, &n, &ro), 0);
    if (n == 0) break;
    got += n;
  }
  CHECK(got == 5 && !memcmp(buf, "ping\n", 5));
  for (size_t i = 0; i < got; i++)
    if (buf[i] >= 'a' && buf[i] <= 'z') buf[i] = (char)(buf[i] - 32);
  __wasi_ciovec_t out = {(const uint8_t *)buf, got};
  __wasi_size_t sent = 0;
  CHECK_ERR(__wasi_sock_send(conn, &out, 1, 0, &sent), 0);
  CHECK(sent == got);
  CHECK_ERR(__wasi_sock_shutdown(conn, __WASI_SDFLAGS_WR), 0);
  /* Shutting down the sending side again on a socket still connected for
   * reading is allowed; on stdout it is not a socket. */
  CHECK_ERR(__wasi_sock_shutdown(1, __WASI_SDFLAGS_WR), __WASI_ERRNO_NOTSOCK);
  CHECK_ERR(__wasi_fd_close(conn), 0);
  return t_done("sock_echo");
}
