/* A compute program: counts the primes below N (default 10 million) with
 * a segmented sieve of Eratosthenes and prints the count and the last one.
 *   ferry run samples/primes.wasm 1000000 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SEGMENT = 1 << 16 };

int main(int argc, char **argv) {
  uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000;
  if (n < 3) {
    printf("primes below %llu: 0\n", (unsigned long long)n);
    return 0;
  }
  uint32_t root = 1;
  while ((uint64_t)root * root < n) root++;
  /* small primes up to sqrt(n) */
  uint8_t *small = calloc(root + 1, 1);
  uint32_t *ps = malloc((root + 1) * sizeof *ps);
  uint8_t *seg = malloc(SEGMENT);
  if (!small || !ps || !seg) return 1;
  uint32_t np = 0;
  for (uint32_t i = 2; i <= root; i++) {
    if (small[i]) continue;
    ps[np++] = i;
    for (uint64_t j = (uint64_t)i * i; j <= root; j += i) small[j] = 1;
  }
  uint64_t count = 0, last = 0;
  for (uint64_t lo = 2; lo < n; lo += SEGMENT) {
    uint64_t hi = lo + SEGMENT < n ? lo + SEGMENT : n;
    memset(seg, 0, SEGMENT);
    for (uint32_t k = 0; k < np; k++) {
      uint64_t p = ps[k];
      if (p * p >= hi) break;
      uint64_t start = (lo + p - 1) / p * p;
      if (start < p * p) start = p * p;
      for (uint64_t j = start; j < hi; j += p) seg[j - lo] = 1;
    }
    for (uint64_t i = lo; i < hi; i++)
      if (!seg[i - lo]) {
        count++;
        last = i;
      }
  }
  printf("primes below %llu: %llu (largest %llu)\n", (unsigned long long)n,
         (unsigned long long)count, (unsigned long long)last);
  free(small);
  free(ps);
  free(seg);
  return 0;
}
