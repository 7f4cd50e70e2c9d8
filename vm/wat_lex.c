/* Lexer and literals of the text format (spec 6.3). */
#include "vm/wat_lex.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vm/opcodes.h"

/* ---- characters ---------------------------------------------------- */

/* spec 6.3.5: idchar */
static bool is_idchar(unsigned char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
      (c >= 'A' && c <= 'Z'))
    return true;
  return c != 0 && strchr("!#$%&'*+-./:<=>?@\\^_`|~", c) != NULL;
}

static int hex_val(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Length of the UTF-8 sequence starting at s (n bytes left), or 0 when it is
 * malformed (overlong, surrogate, beyond U+10FFFF, truncated). */
static size_t utf8_seq(const uint8_t *s, size_t n) {
  uint32_t c = s[0], min;
  size_t len;
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) { len = 2; c &= 0x1f; min = 0x80; }
  else if (c >= 0xe0 && c <= 0xef) { len = 3; c &= 0x0f; min = 0x800; }
  else if (c >= 0xf0 && c <= 0xf4) { len = 4; c &= 0x07; min = 0x10000; }
  else return 0;
  if (len > n) return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xc0) != 0x80) return 0;
    c = (c << 6) | (s[i] & 0x3f);
  }
  if (c < min || c > 0x10ffff || (c >= 0xd800 && c < 0xe000)) return 0;
  return len;
}

bool vm_wat_utf8_valid(const uint8_t *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    size_t k = utf8_seq(s + i, n - i);
    if (k == 0) return false;
    i += k;
  }
  return true;
}

/* ---- tokens -------------------------------------------------------- */

typedef struct {
  const char *src;
  size_t len, pos;
  int line;
  size_t line_start;
  vm_error *err;
} lexer;

static int col_of(const lexer *lx, size_t pos) {
  return (int)(pos - lx->line_start) + 1;
}

static bool lex_fail(lexer *lx, size_t pos, const char *msg) {
  vm_fail(lx->err, VM_ERR_MALFORMED, pos, "%s", msg);
  lx->err->line = lx->line;
  lx->err->col = col_of(lx, pos);
  return false;
}

static void newline(lexer *lx, size_t pos) {
  lx->line++;
  lx->line_start = pos + 1;
}

/* Skips white space and comments (spec 6.3.4); block comments nest. */
static bool skip_space(lexer *lx) {
  while (lx->pos < lx->len) {
    char c = lx->src[lx->pos];
    if (c == ' ' || c == '\t' || c == '\r') {
      lx->pos++;
    } else if (c == '\n') {
      newline(lx, lx->pos);
      lx->pos++;
    } else if (c == ';' && lx->pos + 1 < lx->len && lx->src[lx->pos + 1] == ';') {
      /* A line comment ends at a newline, which is LF, CR or CR LF (spec
       * 6.2.3 as amended: a lone CR ends it too). */
      while (lx->pos < lx->len && lx->src[lx->pos] != '\n' &&
             lx->src[lx->pos] != '\r')
        lx->pos++;
    } else if (c == '(' && lx->pos + 1 < lx->len && lx->src[lx->pos + 1] == ';') {
      size_t start = lx->pos;
      int depth = 1;
      lx->pos += 2;
      while (depth > 0) {
        if (lx->pos >= lx->len) return lex_fail(lx, start, "unclosed comment");
        char d = lx->src[lx->pos];
        if (d == '(' && lx->pos + 1 < lx->len && lx->src[lx->pos + 1] == ';') {
          depth++;
          lx->pos += 2;
        } else if (d == ';' && lx->pos + 1 < lx->len &&
                   lx->src[lx->pos + 1] == ')') {
          depth--;
          lx->pos += 2;
        } else {
          if (d == '\n') newline(lx, lx->pos);
          lx->pos++;
        }
      }
    } else {
      break;
    }
  }
  return true;
}

/* Scans a string literal starting at the opening quote; checks escapes and
 * the UTF-8 of raw characters (spec 6.3.3). */
static bool scan_string(lexer *lx) {
  const uint8_t *s = (const uint8_t *)lx->src;
  size_t start = lx->pos;
  lx->pos++;
  for (;;) {
    if (lx->pos >= lx->len) return lex_fail(lx, start, "unclosed string literal");
    uint8_t c = s[lx->pos];
    if (c == '"') {
      lx->pos++;
      return true;
    }
    if (c == '\n') return lex_fail(lx, start, "unclosed string literal");
    if (c < 0x20 || c == 0x7f)
      return lex_fail(lx, lx->pos, "illegal control character in string");
    if (c == '\\') {
      size_t esc = lx->pos;
      if (lx->pos + 1 >= lx->len) return lex_fail(lx, start, "unclosed string literal");
      uint8_t d = s[lx->pos + 1];
      if (strchr("tnr\"'\\", d) && d) {
        lx->pos += 2;
      } else if (hex_val(d) >= 0) {
        if (lx->pos + 2 >= lx->len || hex_val(s[lx->pos + 2]) < 0)
          return lex_fail(lx, esc, "illegal escape");
        lx->pos += 3;
      } else if (d == 'u') {
        size_t i = lx->pos + 2;
        uint32_t v = 0;
        bool any = false;
        if (i >= lx->len || s[i] != '{') return lex_fail(lx, esc, "illegal escape");
        i++;
        while (i < lx->len && (hex_val(s[i]) >= 0 || (s[i] == '_' && any))) {
          if (s[i] != '_') {
            v = v * 16 + (uint32_t)hex_val(s[i]);
            if (v > 0x10ffff) return lex_fail(lx, esc, "illegal escape");
            any = true;
          }
          i++;
        }
        if (!any || i >= lx->len || s[i] != '}' ||
            (v >= 0xd800 && v < 0xe000))
          return lex_fail(lx, esc, "illegal escape");
        lx->pos = i + 1;
      } else {
        return lex_fail(lx, esc, "illegal escape");
      }
    } else if (c >= 0x80) {
      size_t k = utf8_seq(s + lx->pos, lx->len - lx->pos);
      if (k == 0) return lex_fail(lx, lx->pos, "malformed UTF-8 encoding");
      lx->pos += k;
    } else {
      lx->pos++;
    }
  }
}

static bool push_tok(wat_toks *t, size_t *cap, wat_tok tok) {
  if (t->count == *cap) {
    size_t ncap = *cap ? *cap * 2 : 256;
    wat_tok *n = realloc(t->toks, ncap * sizeof *n);
    if (!n) return false;
    t->toks = n;
    *cap = ncap;
  }
  t->toks[t->count++] = tok;
  return true;
}

bool vm_wat_lex(const char *src, size_t len, wat_toks *out, vm_error *err) {
  lexer lx = {src, len, 0, 1, 0, err};
  size_t cap = 0;
  out->toks = NULL;
  out->count = 0;
  if (len > UINT32_MAX) {
    vm_fail(err, VM_ERR_MALFORMED, 0, "input too large");
    return false;
  }
  for (;;) {
    if (!skip_space(&lx)) goto fail;
    wat_tok tok = {WAT_EOF, (uint32_t)lx.pos, 0, lx.line, col_of(&lx, lx.pos)};
    if (lx.pos >= len) {
      if (!push_tok(out, &cap, tok)) goto oom;
      return true;
    }
    char c = src[lx.pos];
    if (c == '(' || c == ')') {
      tok.kind = c == '(' ? WAT_LPAR : WAT_RPAR;
      tok.len = 1;
      lx.pos++;
    } else {
      /* A token is a maximal run of idchars and strings (spec 6.3.5: such a
       * run that is not a single keyword, id, number or string is a
       * reserved token, which the reference lexer reports as "unknown
       * operator"). */
      size_t start = lx.pos;
      int nstrings = 0;
      bool all_idchars = true;
      while (lx.pos < len) {
        unsigned char d = (unsigned char)src[lx.pos];
        if (d == '"') {
          if (!scan_string(&lx)) goto fail;
          nstrings++;
        } else if (is_idchar(d)) {
          lx.pos++;
        } else if (d == ' ' || d == '\t' || d == '\n' || d == '\r' ||
                   d == '(' || d == ')' || d == ';') {
          break;
        } else {
          all_idchars = false;
          if (d >= 0x80) {
            size_t k = utf8_seq((const uint8_t *)src + lx.pos, len - lx.pos);
            lx.pos += k ? k : 1;
          } else {
            lx.pos++;
          }
        }
      }
      if (lx.pos == start) {
        /* a lone ';' that does not start a comment */
        lex_fail(&lx, start, "unexpected character");
        goto fail;
      }
      tok.len = (uint32_t)(lx.pos - start);
      if (nstrings == 1 && src[start] == '"' && src[lx.pos - 1] == '"' &&
          all_idchars && (lx.pos - start) >= 2) {
        /* one string exactly, if no idchars around it: check by rescanning */
        lexer probe = lx;
        probe.pos = start;
        if (scan_string(&probe) && probe.pos == lx.pos)
          tok.kind = WAT_STRING;
        else
          tok.kind = WAT_RESERVED;
      } else if (nstrings > 0 || !all_idchars) {
        tok.kind = WAT_RESERVED;
      } else if (src[start] == '$') {
        tok.kind = tok.len > 1 ? WAT_ID : WAT_RESERVED;
      } else {
        tok.kind = WAT_ATOM;
      }
    }
    if (!push_tok(out, &cap, tok)) goto oom;
  }
oom:
  vm_fail(err, VM_ERR_OOM, 0, "out of memory");
fail:
  free(out->toks);
  out->toks = NULL;
  out->count = 0;
  return false;
}

void vm_wat_toks_free(wat_toks *t) {
  free(t->toks);
  t->toks = NULL;
  t->count = 0;
}

static size_t put_utf8(uint8_t *out, uint32_t v) {
  if (v < 0x80) { out[0] = (uint8_t)v; return 1; }
  if (v < 0x800) {
    out[0] = (uint8_t)(0xc0 | (v >> 6));
    out[1] = (uint8_t)(0x80 | (v & 0x3f));
    return 2;
  }
  if (v < 0x10000) {
    out[0] = (uint8_t)(0xe0 | (v >> 12));
    out[1] = (uint8_t)(0x80 | ((v >> 6) & 0x3f));
    out[2] = (uint8_t)(0x80 | (v & 0x3f));
    return 3;
  }
  out[0] = (uint8_t)(0xf0 | (v >> 18));
  out[1] = (uint8_t)(0x80 | ((v >> 12) & 0x3f));
  out[2] = (uint8_t)(0x80 | ((v >> 6) & 0x3f));
  out[3] = (uint8_t)(0x80 | (v & 0x3f));
  return 4;
}

/* The lexer has validated the escapes, so this cannot fail. An escape never
 * decodes to more bytes than its source text (\u{...} of N bytes of UTF-8
 * takes at least 4 + ceil(hex digits) >= N characters). */
size_t vm_wat_string(const char *src, const wat_tok *tok, uint8_t *out) {
  const uint8_t *s = (const uint8_t *)src + tok->off + 1;
  const uint8_t *e = (const uint8_t *)src + tok->off + tok->len - 1;
  size_t n = 0;
  while (s < e) {
    if (*s != '\\') {
      out[n++] = *s++;
      continue;
    }
    uint8_t d = s[1];
    switch (d) {
    case 't': out[n++] = '\t'; s += 2; break;
    case 'n': out[n++] = '\n'; s += 2; break;
    case 'r': out[n++] = '\r'; s += 2; break;
    case '"': case '\'': case '\\': out[n++] = d; s += 2; break;
    case 'u': {
      uint32_t v = 0;
      s += 3;
      while (*s != '}') {
        if (*s != '_') v = v * 16 + (uint32_t)hex_val(*s);
        s++;
      }
      s++;
      n += put_utf8(out + n, v);
      break;
    }
    default:
      out[n++] = (uint8_t)(hex_val(s[1]) * 16 + hex_val(s[2]));
      s += 3;
    }
  }
  return n;
}

/* ---- numbers (spec 6.3.1, 6.3.2) ------------------------------------- */

/* Reads digits (hex or decimal) with single underscores between digits,
 * appending the digits to buf (if not NULL). Returns the index after them,
 * or 0 if there is not at least one digit or an underscore is misplaced. */
static size_t digits(const char *s, size_t n, size_t i, bool hex, char *buf,
                     size_t *blen) {
  size_t start = i;
  while (i < n) {
    unsigned char c = (unsigned char)s[i];
    bool dig = hex ? hex_val(c) >= 0 : (c >= '0' && c <= '9');
    if (dig) {
      if (buf) buf[(*blen)++] = (char)c;
      i++;
    } else if (c == '_' && i > start && i + 1 < n) {
      unsigned char d = (unsigned char)s[i + 1];
      if (!(hex ? hex_val(d) >= 0 : (d >= '0' && d <= '9'))) return 0;
      i++;
    } else {
      break;
    }
  }
  return i > start ? i : 0;
}

/* Unsigned magnitude of digits (underscores allowed); RANGE beyond 2^64-1. */
static wat_num_status magnitude(const char *s, size_t n, uint64_t *out) {
  bool hex = n > 2 && s[0] == '0' && s[1] == 'x';
  size_t i = hex ? 2 : 0;
  if (n == 0 || digits(s, n, i, hex, NULL, NULL) != n) return WAT_NUM_SYNTAX;
  uint64_t v = 0;
  bool over = false;
  for (; i < n; i++) {
    if (s[i] == '_') continue;
    uint64_t d = (uint64_t)hex_val((unsigned char)s[i]);
    uint64_t base = hex ? 16 : 10;
    if (v > (UINT64_MAX - d) / base) over = true;
    v = v * base + d;
  }
  *out = v;
  return over ? WAT_NUM_RANGE : WAT_NUM_OK;
}

wat_num_status vm_wat_nat(const char *s, size_t n, uint64_t max,
                          uint64_t *out) {
  wat_num_status st = magnitude(s, n, out);
  if (st == WAT_NUM_OK && *out > max) st = WAT_NUM_RANGE;
  return st;
}

wat_num_status vm_wat_int(const char *s, size_t n, unsigned bits,
                          uint64_t *out) {
  bool neg = false;
  uint64_t v;
  if (n > 0 && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s++;
    n--;
  }
  wat_num_status st = magnitude(s, n, &v);
  if (st != WAT_NUM_OK) return st;
  uint64_t umax = bits == 64 ? UINT64_MAX : (((uint64_t)1 << bits) - 1);
  uint64_t nmax = (uint64_t)1 << (bits - 1);
  if (neg ? v > nmax : v > umax) return WAT_NUM_RANGE;
  if (neg) v = (uint64_t)0 - v;
  *out = bits == 64 ? v : (v & umax);
  return WAT_NUM_OK;
}

/* Checks float syntax and writes a copy without underscores that strtod
 * accepts: [-]digits[.digits][e[-]digits] or [-]0xhex[.hex][p[-]digits]. */
static wat_num_status float_text(const char *s, size_t n, char *buf) {
  size_t i = 0, b = 0;
  if (i < n && (s[i] == '+' || s[i] == '-')) {
    if (s[i] == '-') buf[b++] = '-';
    i++;
  }
  bool hex = i + 2 < n + 0 && s[i] == '0' && s[i + 1] == 'x';
  if (hex) {
    buf[b++] = '0';
    buf[b++] = 'x';
    i += 2;
  }
  i = digits(s, n, i, hex, buf, &b);
  if (i == 0) return WAT_NUM_SYNTAX;
  if (i < n && s[i] == '.') {
    buf[b++] = '.';
    i++;
    if (i < n && s[i] != (hex ? 'p' : 'e') && s[i] != (hex ? 'P' : 'E')) {
      i = digits(s, n, i, hex, buf, &b);
      if (i == 0) return WAT_NUM_SYNTAX;
    }
  }
  if (i < n && (hex ? (s[i] == 'p' || s[i] == 'P')
                    : (s[i] == 'e' || s[i] == 'E'))) {
    buf[b++] = hex ? 'p' : 'e';
    i++;
    if (i < n && (s[i] == '+' || s[i] == '-')) buf[b++] = s[i++];
    i = digits(s, n, i, false, buf, &b);
    if (i == 0) return WAT_NUM_SYNTAX;
  }
  if (i != n) return WAT_NUM_SYNTAX;
  buf[b] = 0;
  return WAT_NUM_OK;
}

/* inf, nan and nan:0xN (spec 6.3.2). Returns SYNTAX when s is not one of
 * them; otherwise *payload is 0 for inf, the canonical payload for nan. */
static wat_num_status special_float(const char *s, size_t n, bool *neg,
                                    bool *is_nan, uint64_t *payload,
                                    uint64_t canon, uint64_t pmax) {
  *neg = false;
  if (n > 0 && (s[0] == '+' || s[0] == '-')) {
    *neg = s[0] == '-';
    s++;
    n--;
  }
  if (n == 3 && memcmp(s, "inf", 3) == 0) {
    *is_nan = false;
    return WAT_NUM_OK;
  }
  if (n == 3 && memcmp(s, "nan", 3) == 0) {
    *is_nan = true;
    *payload = canon;
    return WAT_NUM_OK;
  }
  if (n > 6 && memcmp(s, "nan:0x", 6) == 0) {
    uint64_t v;
    if (digits(s, n, 6, true, NULL, NULL) != n) return WAT_NUM_SYNTAX;
    wat_num_status st = magnitude(s + 4, n - 4, &v);
    if (st != WAT_NUM_OK) return st;
    if (v == 0 || v > pmax) return WAT_NUM_RANGE;
    *is_nan = true;
    *payload = v;
    return WAT_NUM_OK;
  }
  return WAT_NUM_SYNTAX;
}

/* ---- hexadecimal floats ---- */

/* Saturating sum for the exponent counters of hex_float. Exponents such as
 * p99999999999999999999 must not overflow (UB), and clamping at 2^60 cannot
 * change a result: the digits shift the exponent by at most 4 per byte of
 * input, far less than 2^59 for any input that fits in memory, so a clamped
 * exponent still leaves the value beyond infinity or below half the
 * smallest subnormal, as the exact one would. */
#define HEX_EXP_LIMIT ((int64_t)1 << 60)
static int64_t exp_add(int64_t e, int64_t d) {
  e += d; /* callers keep |e|, |d| <= 2^60: no overflow */
  return e > HEX_EXP_LIMIT ? HEX_EXP_LIMIT
                           : e < -HEX_EXP_LIMIT ? -HEX_EXP_LIMIT : e;
}

/* Rounds a hexadecimal float to an IEEE binary format with `prec` bits of
 * precision (implicit bit included) and minimum normal exponent `emin`, and
 * writes its bit pattern; one that rounds to infinity is RANGE, with the
 * infinity written as strtod would have. t is float_text's output:
 * [-]0xH[.H][p[+-]D], with no underscores. Done here rather than by
 * strtof/strtod because hosts differ and the result must not depend on the
 * libc: mingw-w64's strtof flushes hex literals with subnormal results to
 * zero (spec const.wast:673, :675 under wine), and glibc before 2.41
 * misrounds some subnormal ones (sourceware bug 30220: of the dropped bits
 * below the half bit it only looks at the lowest).
 *
 * Method: collect the leading significant bits into a 64-bit integer m (at
 * least 61 bits, more than prec + 2 for both formats) and OR every later
 * digit into a sticky flag, so value = (m + fraction) * 2^e with fraction
 * in [0, 1), nonzero iff sticky. Then round once, to nearest, ties to even,
 * at the weight of the last bit the target can hold; rounding twice (first
 * to 64 bits, then to prec) could turn an inexact value into a false tie. */
static wat_num_status hex_float(const char *t, unsigned prec, int emin,
                                uint64_t *out) {
  uint64_t sign = 0, m = 0;
  int64_t e = 0, pexp = 0;
  bool sticky = false, frac = false;
  size_t i = 0;
  if (t[i] == '-') {
    sign = 1;
    i++;
  }
  for (i += 2; t[i] && t[i] != 'p'; i++) {
    if (t[i] == '.') {
      frac = true;
      continue;
    }
    unsigned d = (unsigned)hex_val((unsigned char)t[i]);
    if (m >> 60 == 0) {
      /* room for one more digit; leading zeros keep m at 0 and so never use
       * up room, which is why the test is on m and not on a digit count */
      m = m << 4 | d;
      if (frac) e = exp_add(e, -4);
    } else {
      /* m is full: integer digits still scale the value, fraction digits
       * only matter as "something nonzero below m" */
      sticky |= d != 0;
      if (!frac) e = exp_add(e, 4);
    }
  }
  if (t[i] == 'p') {
    bool eneg = t[++i] == '-';
    if (t[i] == '-' || t[i] == '+') i++;
    for (; t[i]; i++)
      pexp = pexp > HEX_EXP_LIMIT / 10 ? HEX_EXP_LIMIT
                                       : exp_add(pexp * 10, t[i] - '0');
    if (eneg) pexp = -pexp;
  }
  uint64_t sign_bit = sign << (prec == 24 ? 31 : 63);
  int emax = 1 - emin;             /* 127 or 1023 */
  uint64_t inf = (uint64_t)(2 * emax + 1) << (prec - 1);
  if (m == 0) { /* sticky is only ever set once m is nonzero */
    *out = sign_bit; /* +0 or -0, whatever the exponent */
    return WAT_NUM_OK;
  }
  e = exp_add(e, pexp);

  int msb = 63;
  while (!(m >> msb)) msb--;
  int64_t top = msb + e;           /* value in [2^top, 2^(top+1)) */
  if (top > emax) goto range;
  /* Weight of the last bit kept: prec bits below the leading one for a
   * normal result, fixed at the smallest subnormal's for a tiny one. */
  int64_t lsb = top - (int64_t)prec + 1;
  int64_t min_lsb = (int64_t)emin - (int64_t)prec + 1;
  if (lsb < min_lsb) lsb = min_lsb;
  int64_t shift = lsb - e;         /* bits of m below the last bit kept */
  uint64_t q;
  if (shift <= 0) {
    q = m << -shift; /* exact: m has at most prec bits here, so no loss */
  } else {
    bool half, below;
    if (shift > 64) { /* all of m is under half of the last bit */
      q = 0;
      half = false;
      below = true;
    } else {
      q = shift == 64 ? 0 : m >> shift;
      half = (m >> (shift - 1)) & 1;
      below = sticky || (m & (((uint64_t)1 << (shift - 1)) - 1)) != 0;
    }
    if (half && (below || (q & 1))) q++;
  }
  /* q is the significand in units of 2^lsb, implicit bit included. Adding
   * it to the exponent field of that unit gives the encoding directly: a
   * subnormal has field 0 and no implicit bit; a normal's implicit bit
   * carries into the field; a round-up to 2^prec carries one step further,
   * which is the next binade (or the infinity pattern past the largest
   * finite value). */
  uint64_t bits = ((uint64_t)(lsb - min_lsb) << (prec - 1)) + q;
  if (bits >= inf) goto range;
  *out = sign_bit | bits;
  return WAT_NUM_OK;
range:
  *out = sign_bit | inf;
  return WAT_NUM_RANGE;
}

/* Hex floats are rounded by hex_float above; decimal ones by strtod/strtof
 * (round to nearest, ties to even, as spec 6.3.2 demands; glibc and mingw
 * agree there, checked on every spec-suite literal and 20000 random ones
 * under wine). A finite literal that rounds to infinity is out of range.
 * float_text writes "[-]0x..." exactly when the literal is hexadecimal. */
static bool text_is_hex(const char *t) {
  if (*t == '-') t++;
  return t[0] == '0' && t[1] == 'x';
}

wat_num_status vm_wat_f32(const char *s, size_t n, uint32_t *out) {
  bool neg, is_nan;
  uint64_t payload = 0;
  wat_num_status st =
      special_float(s, n, &neg, &is_nan, &payload, 0x400000, 0x7fffff);
  if (st == WAT_NUM_RANGE) return st;
  if (st == WAT_NUM_OK) {
    *out = (neg ? 0x80000000u : 0) | 0x7f800000u |
           (is_nan ? (uint32_t)payload : 0);
    return WAT_NUM_OK;
  }
  char *buf = malloc(n + 4);
  if (!buf) return WAT_NUM_RANGE;
  st = float_text(s, n, buf);
  if (st == WAT_NUM_OK && text_is_hex(buf)) {
    uint64_t bits;
    st = hex_float(buf, 24, -126, &bits);
    *out = (uint32_t)bits;
  } else if (st == WAT_NUM_OK) {
    float f = strtof(buf, NULL);
    if (isinf(f)) st = WAT_NUM_RANGE;
    memcpy(out, &f, 4);
  }
  free(buf);
  return st;
}

wat_num_status vm_wat_f64(const char *s, size_t n, uint64_t *out) {
  bool neg, is_nan;
  uint64_t payload = 0;
  wat_num_status st = special_float(s, n, &neg, &is_nan, &payload,
                                    (uint64_t)1 << 51, ((uint64_t)1 << 52) - 1);
  if (st == WAT_NUM_RANGE) return st;
  if (st == WAT_NUM_OK) {
    *out = (neg ? (uint64_t)1 << 63 : 0) | ((uint64_t)0x7ff << 52) |
           (is_nan ? payload : 0);
    return WAT_NUM_OK;
  }
  char *buf = malloc(n + 4);
  if (!buf) return WAT_NUM_RANGE;
  st = float_text(s, n, buf);
  if (st == WAT_NUM_OK && text_is_hex(buf)) {
    st = hex_float(buf, 53, -1022, out);
  } else if (st == WAT_NUM_OK) {
    double d = strtod(buf, NULL);
    if (isinf(d)) st = WAT_NUM_RANGE;
    memcpy(out, &d, 8);
  }
  free(buf);
  return st;
}

/* ---- keywords ------------------------------------------------------ */

static const char *const keywords[] = {
    "module", "func", "param", "result", "local", "type", "import", "export",
    "table", "memory", "global", "elem", "data", "start", "offset", "item",
    "declare", "mut", "then", "end", "funcref", "externref", "i32", "i64",
    "f32", "f64", "v128", "extern", "i8x16", "i16x8", "i32x4", "i64x2",
    "f32x4", "f64x2", "quote", "binary", "nan:canonical", "nan:arithmetic",
    "register", "invoke", "get", "assert_return", "assert_trap",
    "assert_exhaustion", "assert_malformed", "assert_invalid",
    "assert_unlinkable", "assert_uninstantiable", "ref.extern", "ref",
    "definition", "instance", "either",
};

bool vm_wat_is_keyword(const char *s, size_t n) {
  for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
    if (strlen(keywords[i]) == n && memcmp(keywords[i], s, n) == 0) return true;
  for (int i = 0; i < VM_OP_COUNT; i++) {
    const char *name = vm_opinfo_table[i].name;
    if (strlen(name) == n && memcmp(name, s, n) == 0) return true;
  }
  if ((n > 7 && memcmp(s, "offset=", 7) == 0) ||
      (n > 6 && memcmp(s, "align=", 6) == 0))
    return true;
  return false;
}

/* ---- v128 lanes ------------------------------------------------------ */

static const char *const shapes[] = {"i8x16", "i16x8", "i32x4",
                                     "i64x2", "f32x4", "f64x2"};

int vm_wat_shape(const char *s, size_t n) {
  for (int i = 0; i < 6; i++)
    if (n == 5 && memcmp(s, shapes[i], 5) == 0) return i;
  return -1;
}

int vm_wat_shape_lanes(int shape) {
  static const int lanes[] = {16, 8, 4, 2, 4, 2};
  return shape >= 0 && shape < 6 ? lanes[shape] : 0;
}

wat_num_status vm_wat_lane(int shape, const char *s, size_t n, uint8_t *dst) {
  static const unsigned bits[] = {8, 16, 32, 64, 32, 64};
  uint64_t v = 0;
  wat_num_status st;
  if (shape == 4) {
    uint32_t f;
    st = vm_wat_f32(s, n, &f);
    v = f;
  } else if (shape == 5) {
    st = vm_wat_f64(s, n, &v);
  } else {
    st = vm_wat_int(s, n, bits[shape], &v);
  }
  if (st == WAT_NUM_OK)
    for (unsigned i = 0; i < bits[shape] / 8; i++) dst[i] = (uint8_t)(v >> (8 * i));
  return st;
}
