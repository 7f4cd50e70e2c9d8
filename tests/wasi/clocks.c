/* Clocks (monotonic, realtime, CPU, resolution) and random_get. */
#include <time.h>

#include "t.h"

int main(void) {
  __wasi_timestamp_t a, b, r;
  for (int id = 0; id < 4; id++) {
    CHECK_ERR(__wasi_clock_res_get((__wasi_clockid_t)id, &r), 0);
    CHECK(r > 0 && r <= 1000000000u);
  }
  CHECK_ERR(__wasi_clock_res_get(4, &r), __WASI_ERRNO_INVAL);
  CHECK_ERR(__wasi_clock_time_get(4, 0, &a), __WASI_ERRNO_INVAL);
  CHECK_ERR(raw_clock_time_get(1, 0, FAR_PTR), __WASI_ERRNO_FAULT);
  /* realtime: after 2020-01-01 */
  CHECK_ERR(__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &a), 0);
  CHECK(a > 1577836800ull * 1000000000ull);
  /* monotonic never goes back */
  CHECK_ERR(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &a), 0);
  for (int i = 0; i < 1000; i++) {
    CHECK_ERR(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &b), 0);
    CHECK(b >= a);
    a = b;
  }
  /* CPU time advances while we compute. Some hosts count it in ticks of
   * 10-16 ms (Windows; wine reads Linux's jiffies), and a loaded machine
   * gives us less of the CPU: compute until it moves, for up to 5 s. */
  __wasi_timestamp_t start, now;
  CHECK_ERR(__wasi_clock_time_get(__WASI_CLOCKID_PROCESS_CPUTIME_ID, 1, &a), 0);
  CHECK_ERR(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &start), 0);
  volatile unsigned x = 0;
  do {
    for (unsigned i = 0; i < 1000000; i++) x += i * i;
    CHECK_ERR(__wasi_clock_time_get(__WASI_CLOCKID_PROCESS_CPUTIME_ID, 1, &b), 0);
    CHECK_ERR(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &now), 0);
  } while (b == a && now - start < 5000000000ull);
  (void)x;
  CHECK(b > a);
  CHECK_ERR(__wasi_clock_time_get(__WASI_CLOCKID_THREAD_CPUTIME_ID, 1, &b), 0);
  CHECK(b > 0);
  /* libc on top */
  struct timespec ts;
  CHECK_ERR(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
  CHECK(time(NULL) > 1577836800);

  /* random: two draws differ, and are not all zero */
  unsigned char r1[32], r2[32], zero[32] = {0};
  CHECK_ERR(__wasi_random_get(r1, sizeof r1), 0);
  CHECK_ERR(__wasi_random_get(r2, sizeof r2), 0);
  CHECK(memcmp(r1, r2, sizeof r1) != 0);
  CHECK(memcmp(r1, zero, sizeof r1) != 0);
  CHECK_ERR(__wasi_random_get(r1, 0), 0);
  CHECK_ERR(raw_random_get(FAR_PTR, 64), __WASI_ERRNO_FAULT);
  CHECK_ERR(raw_random_get(16, -1), __WASI_ERRNO_FAULT);
  return t_done("clocks");
}
