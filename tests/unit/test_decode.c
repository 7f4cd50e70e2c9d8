/* The binary decoder: each section's decoding, the index-space helpers, the
 * name section's leniency, and the malformed cases whose wording the spec
 * suite fixes. Modules are written as byte strings after the 8-byte
 * header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vm/module.h"

#define HDR "\0asm\1\0\0\0"

static vm_module *decode(const char *s, size_t n, vm_error *err) {
  memset(err, 0, sizeof *err);
  return vm_decode((const uint8_t *)s, n, err);
}

/* Decodes a string literal (which may contain NULs). */
#define DECODE(lit, err) decode(lit, sizeof(lit) - 1, err)

/* A module assembled from sections whose sizes are computed, so the valid
 * test modules need no hand-counted size fields. */
typedef struct {
  char bytes[1024];
  size_t size;
} builder;

static void b_init(builder *b) {
  memcpy(b->bytes, HDR, 8);
  b->size = 8;
}

static void b_section(builder *b, uint8_t id, const char *content, size_t n) {
  assert_true(n < 128 && b->size + 2 + n <= sizeof b->bytes);
  b->bytes[b->size++] = (char)id;
  b->bytes[b->size++] = (char)n;
  memcpy(b->bytes + b->size, content, n);
  b->size += n;
}

#define SEC(b, id, lit) b_section(b, id, lit, sizeof(lit) - 1)

/* Asserts the literal is rejected with a message starting with `msg`. */
#define REJECT(lit, want)                                                      \
  do {                                                                        \
    vm_error e_;                                                              \
    vm_module *m_ = DECODE(lit, &e_);                                         \
    assert_null(m_);                                                          \
    assert_int_equal(e_.kind, VM_ERR_MALFORMED);                              \
    if (strncmp(e_.msg, want, strlen(want)) != 0)                           \
      fail_msg("expected \"%s\", got \"%s\"", want, e_.msg);                   \
  } while (0)

static void empty_module(void **state) {
  (void)state;
  vm_error err;
  vm_module *m = DECODE(HDR, &err);
  assert_non_null(m);
  assert_int_equal(vm_func_count(m), 0);
  assert_int_equal(m->size, 8);
  vm_module_free(m);
}

static void header_errors(void **state) {
  (void)state;
  REJECT("", "unexpected end");
  REJECT("\0as", "unexpected end");
  REJECT("\0asm\1\0\0", "unexpected end");
  REJECT("\0ASM\1\0\0\0", "magic header not detected");
  REJECT("\0asm\2\0\0\0", "unknown binary version");
  REJECT("\0asm\1\0\0\0\0asm\1\0\0\0", "length out of bounds");
}

static void types_section(void **state) {
  (void)state;
  vm_error err;
  builder b;
  b_init(&b);
  SEC(&b, 1, "\x02\x60\x02\x7f\x7e\x01\x7d\x60\x00\x00");
  vm_module *m = decode(b.bytes, b.size, &err);
  assert_non_null(m);
  assert_int_equal(m->ntypes, 2);
  assert_int_equal(m->types[0].nparams, 2);
  assert_int_equal(m->types[0].nresults, 1);
  assert_memory_equal(m->types[0].types, "\x7f\x7e\x7d", 3);
  assert_int_equal(m->types[1].nparams + m->types[1].nresults, 0);
  vm_module_free(m);
  REJECT(HDR "\x01\x04\x01\x61\x00\x00", "malformed");
  REJECT(HDR "\x01\x05\x01\xe0\x7f\x00\x00", "integer representation too long");
  REJECT(HDR "\x01\x05\x01\x60\x01\x40\x00", "malformed");
  /* more types announced than given, less than given */
  REJECT(HDR "\x01\x07\x02\x60\x00\x00", "length out of bounds");
  REJECT(HDR "\x01\x07\x01\x60\x00\x00\x60\x00\x00", "section size mismatch");
}

static void imports_and_index_spaces(void **state) {
  (void)state;
  vm_error err;
  /* type 0 = [] -> []; imports: func, global i32 mut, table funcref 1..2,
   * memory 1, func; then one defined function and one defined global */
  builder b;
  b_init(&b);
  SEC(&b, 1, "\x01\x60\x00\x00");
  SEC(&b, 2, "\x05"
             "\x01m\x01" "f\x00\x00"
             "\x01m\x01g\x03\x7f\x01"
             "\x01m\x01t\x01\x70\x01\x01\x02"
             "\x01m\x01M\x02\x00\x01"
             "\x01m\x01h\x00\x00");
  SEC(&b, 3, "\x01\x00");
  SEC(&b, 6, "\x01\x7e\x00\x42\x07\x0b");
  SEC(&b, 10, "\x01\x02\x00\x0b");
  vm_module *m = decode(b.bytes, b.size, &err);
  assert_non_null(m);
  assert_int_equal(m->nimports, 5);
  assert_string_equal(m->imports[2].name, "t");
  assert_int_equal(vm_func_count(m), 3);
  assert_int_equal(vm_table_count(m), 1);
  assert_int_equal(vm_memory_count(m), 1);
  assert_int_equal(vm_global_count(m), 2);
  assert_int_equal(vm_func_type_index(m, 1), 0);
  assert_ptr_equal(vm_func_type(m, 2), &m->types[0]);
  assert_null(vm_func_type(m, 3));
  assert_int_equal(vm_table_type(m, 0)->limits.max, 2);
  assert_true(vm_table_type(m, 0)->limits.has_max);
  assert_int_equal(vm_memory_type(m, 0)->min, 1);
  assert_true(vm_global_type(m, 0)->mut);
  assert_int_equal(vm_global_type(m, 0)->type, VM_I32);
  assert_int_equal(vm_global_type(m, 1)->type, VM_I64);
  assert_null(vm_global_type(m, 2));
  /* the global's init is a byte range ending in `end` */
  vm_expr e = m->globals[0].init;
  assert_int_equal(e.size, 3);
  assert_int_equal(m->bytes[e.offset + e.size - 1], 0x0b);
  vm_module_free(m);
  REJECT(HDR "\x02\x04\x01\x00\x00\x04", "malformed import kind");
  REJECT(HDR "\x02\x06\x01\x00\x00\x03\x7f\x02", "malformed mutability");
  REJECT(HDR "\x02\x05\x01\x01\xff\x00\x00\x00", "malformed UTF-8 encoding");
}

static void limits_flags(void **state) {
  (void)state;
  vm_error err;
  vm_module *m = DECODE(HDR "\x05\x05\x02\x00\x02\x01\x00\x05", &err);
  /* size is 6 bytes: count, {0, 2}, {1, 0, 5} */
  assert_null(m);
  m = DECODE(HDR "\x05\x06\x02\x00\x02\x01\x00\x05", &err);
  assert_non_null(m);
  assert_false(m->memories[0].has_max);
  assert_int_equal(m->memories[0].min, 2);
  assert_true(m->memories[1].has_max);
  assert_int_equal(m->memories[1].max, 5);
  vm_module_free(m);
  REJECT(HDR "\x05\x03\x01\x02\x00", "integer too large");
  REJECT(HDR "\x05\x04\x01\x81\x00\x00", "integer representation too long");
  REJECT(HDR "\x04\x03\x01\x70\x02", "integer too large");
  REJECT(HDR "\x04\x04\x01\x71\x00\x00", "malformed reference type");
}

static void code_and_locals(void **state) {
  (void)state;
  vm_error err;
  builder b;
  b_init(&b);
  SEC(&b, 1, "\x01\x60\x00\x00");
  SEC(&b, 3, "\x01\x00");
  /* block, i32.const 1, if, else, end, end, end */
  SEC(&b, 10, "\x01\x0f\x02\x03\x7f\x02\x7e"
              "\x02\x40\x41\x01\x04\x40\x05\x0b\x0b\x0b");
  vm_module *m = decode(b.bytes, b.size, &err);
  assert_non_null(m);
  vm_func *f = &m->funcs[0];
  assert_int_equal(f->nlocal_runs, 2);
  assert_int_equal(f->nlocals, 5);
  assert_int_equal(f->local_runs[1].type, VM_I64);
  assert_int_equal(f->body_size, 10);
  assert_int_equal(m->bytes[f->body_offset], 0x02);
  assert_int_equal(m->bytes[f->body_offset + f->body_size - 1], 0x0b);
  vm_module_free(m);
}

static void code_errors(void **state) {
  (void)state;
  /* missing end, followed by another function: `else` outside an `if` */
  REJECT(HDR "\x01\x04\x01\x60\x00\x00\x03\x03\x02\x00\x00"
             "\x0a\x0c\x02\x04\x00\x41\x01\x1a\x05\x00\x41\x01\x1a\x0b",
         "END opcode expected");
  /* missing end at the end of the module */
  REJECT(HDR "\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00"
             "\x0a\x06\x01\x04\x00\x41\x01\x1a",
         "unexpected end of section or function");
  /* missing end, the next section's id read as `end` */
  REJECT(HDR "\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00"
             "\x0a\x06\x01\x04\x00\x41\x01\x1a\x0b\x03\x01\x01\x00",
         "section size mismatch");
  REJECT(HDR "\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00"
             "\x0a\x0c\x01\x0a\x02\xff\xff\xff\xff\x0f\x7f\x02\x7e\x0b",
         "too many locals");
  REJECT(HDR "\x01\x04\x01\x60\x00\x00\x03\x03\x02\x00\x00",
         "function and code section have inconsistent lengths");
  REJECT(HDR "\x0a\x04\x01\x02\x00\x0b",
         "function and code section have inconsistent lengths");
  REJECT(HDR "\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00"
             "\x0a\x05\x01\x03\x00\xff\x0b",
         "illegal opcode");
  /* data.drop without a data count section */
  REJECT(HDR "\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00\x05\x03\x01\x00\x00"
             "\x0a\x07\x01\x05\x00\xfc\x09\x00\x0b\x0b\x03\x01\x01\x00",
         "data count section required");
}

static void section_order(void **state) {
  (void)state;
  REJECT(HDR "\x0d\x00", "malformed section id");
  REJECT(HDR "\x03\x01\x00\x01\x01\x00",
         "unexpected content after last section");
  REJECT(HDR "\x01\x01\x00\x01\x01\x00",
         "unexpected content after last section");
  /* data count (12) goes before code (10) */
  vm_error err;
  vm_module *m = DECODE(HDR "\x0c\x01\x00\x0a\x01\x00\x0b\x01\x00", &err);
  assert_non_null(m);
  assert_true(m->has_datacount);
  vm_module_free(m);
  REJECT(HDR "\x0a\x01\x00\x0c\x01\x00",
         "unexpected content after last section");
  REJECT(HDR "\x0c\x01\x01", "data count and data section have inconsistent");
}

static void exports_and_start(void **state) {
  (void)state;
  vm_error err;
  builder b;
  b_init(&b);
  SEC(&b, 1, "\x01\x60\x00\x00");
  SEC(&b, 3, "\x01\x00");
  SEC(&b, 7, "\x01\x03run\x00\x00");
  SEC(&b, 8, "\x00");
  SEC(&b, 10, "\x01\x02\x00\x0b");
  vm_module *m = decode(b.bytes, b.size, &err);
  assert_non_null(m);
  assert_int_equal(m->nexports, 1);
  assert_string_equal(m->exports[0].name, "run");
  assert_int_equal(m->exports[0].name_len, 3);
  assert_true(m->has_start);
  assert_int_equal(m->start, 0);
  vm_module_free(m);
}

static void element_segments(void **state) {
  (void)state;
  vm_error err;
  /* all eight encodings, one segment each */
  builder b;
  b_init(&b);
  SEC(&b, 9, "\x08"
             "\x00\x41\x00\x0b\x01\x00"         /* 0 */
             "\x01\x00\x01\x00"                 /* 1 */
             "\x02\x01\x41\x00\x0b\x00\x01\x00" /* 2 */
             "\x03\x00\x01\x00"                 /* 3 */
             "\x04\x41\x00\x0b\x01\xd2\x00\x0b" /* 4 */
             "\x05\x6f\x01\xd0\x6f\x0b"         /* 5 */
             "\x06\x02\x41\x00\x0b\x70\x00"     /* 6 */
             "\x07\x70\x01\xd0\x70\x0b");       /* 7 */
  vm_module *m = decode(b.bytes, b.size, &err);
  if (!m) fail_msg("%s", err.msg);
  assert_int_equal(m->nelems, 8);
  static const uint8_t modes[8] = {
      VM_SEG_ACTIVE, VM_SEG_PASSIVE, VM_SEG_ACTIVE, VM_SEG_DECLARATIVE,
      VM_SEG_ACTIVE, VM_SEG_PASSIVE, VM_SEG_ACTIVE, VM_SEG_DECLARATIVE};
  for (int i = 0; i < 8; i++) {
    assert_int_equal(m->elems[i].mode, modes[i]);
    assert_true((m->elems[i].exprs != NULL) == (i >= 4));
  }
  assert_int_equal(m->elems[2].table, 1);
  assert_int_equal(m->elems[6].table, 2);
  assert_int_equal(m->elems[6].count, 0);
  assert_int_equal(m->elems[5].type, VM_EXTERNREF);
  assert_int_equal(m->elems[4].exprs[0].size, 3);
  assert_int_equal(m->elems[0].funcs[0], 0);
  vm_module_free(m);
  REJECT(HDR "\x09\x04\x01\x08\x00\x00", "malformed elements segment kind");
  REJECT(HDR "\x09\x04\x01\x01\x01\x00", "malformed element kind");
  REJECT(HDR "\x09\x06\x01\x05\x70\x01\xf3\x0b", "illegal opcode");
  REJECT(HDR "\x09\x07\x01\x05\x7f\x01\xd2\x00\x0b",
         "malformed reference type");
}

static void data_segments(void **state) {
  (void)state;
  vm_error err;
  builder b;
  b_init(&b);
  SEC(&b, 5, "\x01\x00\x01");
  SEC(&b, 12, "\x03");
  SEC(&b, 11, "\x03"
              "\x00\x41\x01\x0b\x02" "ab"
              "\x01\x01" "c"
              "\x02\x00\x41\x02\x0b\x03" "def");
  vm_module *m = decode(b.bytes, b.size, &err);
  if (!m) fail_msg("%s", err.msg);
  assert_int_equal(m->ndatas, 3);
  assert_int_equal(m->datas[0].mode, VM_SEG_ACTIVE);
  assert_int_equal(m->datas[1].mode, VM_SEG_PASSIVE);
  assert_int_equal(m->datas[2].init_size, 3);
  assert_memory_equal(m->bytes + m->datas[2].init_offset, "def", 3);
  assert_memory_equal(m->bytes + m->datas[0].init_offset, "ab", 2);
  vm_module_free(m);
  REJECT(HDR "\x0b\x03\x01\x03\x00", "malformed data segment kind");
  REJECT(HDR "\x05\x03\x01\x00\x01\x0b\x0c\x01\x00\x41\x03\x0b\x07" "abcdef",
         "unexpected end");
}

static void custom_sections(void **state) {
  (void)state;
  vm_error err;
  vm_module *m = DECODE(HDR "\x00\x05\x02hiXY\x01\x01\x00\x00\x02\x01z", &err);
  assert_non_null(m);
  assert_int_equal(m->ncustoms, 2);
  assert_string_equal(m->customs[0].name, "hi");
  assert_int_equal(m->customs[0].size, 2);
  assert_memory_equal(m->bytes + m->customs[0].offset, "XY", 2);
  assert_int_equal(m->customs[1].size, 0);
  vm_module_free(m);
  REJECT(HDR "\x00", "unexpected end");
  REJECT(HDR "\x00\x00", "unexpected end");
  REJECT(HDR "\x00\x03\x02\xff\xfe", "malformed UTF-8 encoding");
}

static void name_section(void **state) {
  (void)state;
  vm_error err;
  /* module name "M"; functions 1 "b", 0 "a" (out of order on purpose);
   * locals of function 0: 0 "x" */
  builder b;
  b_init(&b);
  SEC(&b, 0, "\x04name"
             "\x00\x02\x01M"
             "\x01\x07\x02\x01\x01" "b\x00\x01" "a"
             "\x02\x06\x01\x00\x01\x00\x01x");
  vm_module *m = decode(b.bytes, b.size, &err);
  if (!m) fail_msg("%s", err.msg);
  assert_string_equal(m->name, "M");
  assert_string_equal(vm_func_name(m, 0), "a");
  assert_string_equal(vm_func_name(m, 1), "b");
  assert_null(vm_func_name(m, 2));
  assert_int_equal(m->nlocal_names, 1);
  assert_string_equal(m->local_names[0].names[0].name, "x");
  vm_module_free(m);
  /* a broken name section is ignored, not an error */
  m = DECODE(HDR "\x00\x09\x04name\x01\x09\x05\x00", &err);
  assert_non_null(m);
  assert_null(vm_func_name(m, 0));
  assert_int_equal(m->ncustoms, 1);
  vm_module_free(m);
  m = DECODE(HDR "\x00\x0b\x04name\x01\x04\x01\x00\x02\xff", &err);
  assert_non_null(m);
  assert_int_equal(m->nfunc_names, 0);
  vm_module_free(m);
}

static void huge_counts_fail_without_allocating(void **state) {
  (void)state;
  /* 4 billion functions in a 14-byte module */
  REJECT(HDR "\x03\x05\xff\xff\xff\xff\x0f", "length out of bounds");
  REJECT(HDR "\x01\x05\xff\xff\xff\xff\x0f", "length out of bounds");
  REJECT(HDR "\x0a\x05\xff\xff\xff\xff\x0f", "length out of bounds");
  /* a count just past the bytes left runs into the end */
  REJECT(HDR "\x03\x03\x03\x00\x00", "unexpected end");
}

static void valtype_names(void **state) {
  (void)state;
  assert_string_equal(vm_valtype_name(VM_I32), "i32");
  assert_string_equal(vm_valtype_name(VM_V128), "v128");
  assert_string_equal(vm_valtype_name(VM_EXTERNREF), "externref");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(empty_module),
      cmocka_unit_test(header_errors),
      cmocka_unit_test(types_section),
      cmocka_unit_test(imports_and_index_spaces),
      cmocka_unit_test(limits_flags),
      cmocka_unit_test(code_and_locals),
      cmocka_unit_test(code_errors),
      cmocka_unit_test(section_order),
      cmocka_unit_test(exports_and_start),
      cmocka_unit_test(element_segments),
      cmocka_unit_test(data_segments),
      cmocka_unit_test(custom_sections),
      cmocka_unit_test(name_section),
      cmocka_unit_test(huge_counts_fail_without_allocating),
      cmocka_unit_test(valtype_names),
  };
  return cmocka_run_group_tests_name("decode", tests, NULL, NULL);
}
