/* The opcode table is the single source for every encoding and name, so its
 * internal consistency is worth checking directly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "vm/opcodes.h"

static int lookup(const vm_opinfo *info) {
  switch (info->prefix) {
  case 0x00: return vm_op_from_byte(info->code);
  case 0xfc: return vm_op_from_fc(info->code);
  default: return vm_op_from_fd(info->code);
  }
}

static void every_op_decodes_back_to_itself(void **state) {
  (void)state;
  for (int op = 0; op < VM_OP_COUNT; op++) {
    const vm_opinfo *info = &vm_opinfo_table[op];
    assert_non_null(info->name);
    assert_int_equal(lookup(info), op);
  }
}

static void names_are_unique_except_typed_select(void **state) {
  (void)state;
  for (int a = 0; a < VM_OP_COUNT; a++)
    for (int b = a + 1; b < VM_OP_COUNT; b++)
      if (!strcmp(vm_opinfo_table[a].name, vm_opinfo_table[b].name)) {
        assert_int_equal(a, VM_OP_SELECT);
        assert_int_equal(b, VM_OP_SELECT_T);
      }
}

static void known_encodings(void **state) {
  (void)state;
  assert_int_equal(vm_op_from_byte(0x6a), VM_OP_I32_ADD);
  assert_int_equal(vm_op_from_byte(0x06), -1); /* try: not in Wasm 2.0 */
  assert_int_equal(vm_op_from_fc(17), VM_OP_TABLE_FILL);
  assert_int_equal(vm_op_from_fc(18), -1);
  assert_int_equal(vm_op_from_fc(0xffffffffu), -1);
  assert_int_equal(vm_op_from_fd(0x0c), VM_OP_V128_CONST);
  assert_int_equal(vm_op_from_fd(0x9a), -1); /* a hole in the SIMD space */
  assert_int_equal(vm_op_from_fd(0xff), VM_OP_F64X2_CONVERT_LOW_I32X4_U);
  assert_int_equal(vm_op_from_fd(0x100), -1);
}

static void simd_has_236_instructions(void **state) {
  (void)state;
  /* Fixed-width SIMD (Wasm 2.0) defines exactly 236 instructions. */
  assert_int_equal(VM_OP_COUNT - VM_OP_V128_LOAD, 236);
}

static void signatures_expand(void **state) {
  (void)state;
  uint8_t params[3], result;
  assert_int_equal(vm_sig_types(VM_SIG_i_ll, params, &result), 2);
  assert_int_equal(result, 0x7f);
  assert_int_equal(params[0], 0x7e);
  assert_int_equal(params[1], 0x7e);
  assert_int_equal(vm_sig_types(VM_SIG_0_iv, params, &result), 2);
  assert_int_equal(result, 0);
  assert_int_equal(params[1], 0x7b);
  assert_int_equal(vm_sig_types(VM_SIG_v_vvv, params, &result), 3);
  assert_int_equal(vm_sig_types(VM_SIG_SPECIAL, params, &result), -1);
  /* Every fixed signature in the table expands. */
  for (int op = 0; op < VM_OP_COUNT; op++)
    if (vm_opinfo_table[op].sig != VM_SIG_SPECIAL)
      assert_true(vm_sig_types((vm_sig)vm_opinfo_table[op].sig, params,
                               &result) >= 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_op_decodes_back_to_itself),
      cmocka_unit_test(names_are_unique_except_typed_select),
      cmocka_unit_test(known_encodings),
      cmocka_unit_test(simd_has_236_instructions),
      cmocka_unit_test(signatures_expand),
  };
  return cmocka_run_group_tests_name("opcodes", tests, NULL, NULL);
}
