#include "vm/opcodes.h"

const vm_opinfo vm_opinfo_table[VM_OP_COUNT] = {
#define ROW(prefix, sym, name, code, imm, sig, arg) \
  [VM_OP_##sym] = {name, prefix, code, VM_IMM_##imm, VM_SIG_##sig, arg},
#define ROW0(...) ROW(0x00, __VA_ARGS__)
#define ROWFC(...) ROW(0xfc, __VA_ARGS__)
#define ROWFD(...) ROW(0xfd, __VA_ARGS__)
    VM_OPS_SINGLE(ROW0) VM_OPS_FC(ROWFC) VM_OPS_FD(ROWFD)
#undef ROW0
#undef ROWFC
#undef ROWFD
#undef ROW
};

/* Encoding → opcode maps, stored as op + 1 so that 0 means "no such op". */
#define BY_CODE(sym, name, code, imm, sig, arg) [code] = VM_OP_##sym + 1,
static const uint16_t single_ops[256] = {VM_OPS_SINGLE(BY_CODE)};
static const uint16_t fc_ops[32] = {VM_OPS_FC(BY_CODE)};
static const uint16_t fd_ops[256] = {VM_OPS_FD(BY_CODE)};
#undef BY_CODE

int vm_op_from_byte(uint8_t byte) { return (int)single_ops[byte] - 1; }

int vm_op_from_fc(uint32_t sub) {
  return sub < 32 ? (int)fc_ops[sub] - 1 : -1;
}

int vm_op_from_fd(uint32_t sub) {
  return sub < 256 ? (int)fd_ops[sub] - 1 : -1;
}

static uint8_t letter_type(char c) {
  switch (c) {
  case 'i': return 0x7f;
  case 'l': return 0x7e;
  case 'f': return 0x7d;
  case 'd': return 0x7c;
  case 'v': return 0x7b;
  default: return 0;
  }
}

/* The signature names themselves are the data: "i_ll" is i32 <- i64 i64. */
static const char *const sig_names[] = {
#define S(x) [VM_SIG_##x] = #x
    S(0_),   S(0_ii), S(0_il), S(0_if), S(0_id), S(0_iii), S(0_iv),
    S(i_),   S(l_),   S(f_),   S(d_),   S(v_),   S(i_i),   S(i_ii),
    S(i_l),  S(i_ll), S(i_f),  S(i_ff), S(i_d),  S(i_dd),  S(i_v),
    S(l_i),  S(l_l),  S(l_ll), S(l_f),  S(l_d),  S(l_v),   S(f_i),
    S(f_l),  S(f_f),  S(f_ff), S(f_d),  S(f_v),  S(d_i),   S(d_l),
    S(d_f),  S(d_d),  S(d_dd), S(d_v),  S(v_i),  S(v_l),   S(v_f),
    S(v_d),  S(v_v),  S(v_vv), S(v_vvv), S(v_vi), S(v_vl), S(v_vf),
    S(v_vd), S(v_iv),
#undef S
};

int vm_sig_types(vm_sig sig, uint8_t params[3], uint8_t *result) {
  *result = 0;
  if (sig == VM_SIG_SPECIAL || (unsigned)sig >= sizeof sig_names / sizeof *sig_names)
    return -1;
  const char *s = sig_names[sig];
  *result = letter_type(s[0]);
  int n = 0;
  for (s += 2; *s && n < 3; s++) params[n++] = letter_type(*s);
  return n;
}
