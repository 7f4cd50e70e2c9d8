;; AOT: i32.rotl repeats its operands in its C template, so they are made
;; atoms (materialized into s<h>) while the rotl itself stays pending. The
;; first rotl below stays pending at height 0 reading s0 and s1; the second
;; materialized its own operands into s1 and s2 before the first was used,
;; so the first read the new s1. The fix evaluates pending values before a
;; slot they read is written again (aot_claim); this is the operand-atom
;; path of aot_pending_reads_reused_slot.wast. Found by fuzz_diff
;; (crash-cb2c45af...).
(module
  (func (export "f") (param i32) (result i32)
    (i32.rotl (i32.rotl (local.get 0) (local.get 0))
              (i32.rotl (local.get 0) (local.get 0)))
    (i32.rotl (i32.rotl (i32.add (local.get 0) (i32.const 1)) (local.get 0))
              (i32.rotl (local.get 0) (i32.const 3)))
    (i32.sub)))
(assert_return (invoke "f" (i32.const 31)) (i32.const 0xf007c000))
