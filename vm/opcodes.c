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
#define BY_BYTE(sym, name, code, imm, sig, arg) \
  [code] = {VM_OP_##sym + 1, VM_IMM_##imm},
const vm_byte_op vm_op_by_byte[256] = {VM_OPS_SINGLE(BY_BYTE)};
#undef BY_BYTE
#define BY_CODE(sym, name, code, imm, sig, arg) [code] = VM_OP_##sym + 1,
static const uint16_t fc_ops[32] = {VM_OPS_FC(BY_CODE)};
static const uint16_t fd_ops[256] = {VM_OPS_FD(BY_CODE)};
#undef BY_CODE

int vm_op_from_fc(uint32_t sub) {
  return sub < 32 ? (int)fc_ops[sub] - 1 : -1;
}

int vm_op_from_fd(uint32_t sub) {
  return sub < 256 ? (int)fd_ops[sub] - 1 : -1;
}

/* Signature letters as value type bytes (module.h's VM_I32 ...); an empty
 * letter pastes to SIG_T_ and means none. */
#define SIG_T_ 0
#define SIG_T_0 0
#define SIG_T_i 0x7f
#define SIG_T_l 0x7e
#define SIG_T_f 0x7d
#define SIG_T_d 0x7c
#define SIG_T_v 0x7b
#define SIG_ROW(r, a, b, c)                                               \
  [VM_SIG_##r##_##a##b##c] = {SIG_T_##r,                                  \
                              (SIG_T_##a != 0) + (SIG_T_##b != 0) +       \
                                  (SIG_T_##c != 0),                       \
                              {SIG_T_##a, SIG_T_##b, SIG_T_##c}},
const vm_sig_info vm_sig_table[VM_SIG_COUNT] = {VM_SIGS(SIG_ROW)};
#undef SIG_ROW

int vm_sig_types(vm_sig sig, uint8_t params[3], uint8_t *result) {
  *result = 0;
  if (sig == VM_SIG_SPECIAL || (unsigned)sig >= VM_SIG_COUNT) return -1;
  const vm_sig_info *si = &vm_sig_table[sig];
  *result = si->result;
  for (int i = 0; i < si->nparams; i++) params[i] = si->params[i];
  return si->nparams;
}
