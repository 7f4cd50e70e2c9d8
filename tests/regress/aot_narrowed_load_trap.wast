;; AOT (guard-page build): TCC turns a narrowing cast of a memory lvalue,
;; `(uint8_t)LD(au64, p)`, into a 1-byte load, so an 8-byte load at the
;; last byte of memory did not fault. Trapping operands of narrowing
;; templates (wrap, extend*_s, narrow stores) are now materialized first.
;; Found by fuzz_diff.
(module
  (memory 1)
  (func (export "store8") (i64.store8 (i32.const 0) (i64.load (i32.const 65535))))
  (func (export "store32") (i64.store32 (i32.const 0) (i64.load (i32.const 65533))))
  (func (export "wrap") (result i32) (i32.wrap_i64 (i64.load (i32.const 65535))))
  (func (export "wrap_add0") (result i32)
    (i32.wrap_i64 (i64.add (i64.load (i32.const 65535)) (i64.const 0))))
  (func (export "extend8") (result i32) (i32.extend8_s (i32.load (i32.const 65534)))))
(assert_trap (invoke "store8") "out of bounds memory access")
(assert_trap (invoke "store32") "out of bounds memory access")
(assert_trap (invoke "wrap") "out of bounds memory access")
(assert_trap (invoke "wrap_add0") "out of bounds memory access")
(assert_trap (invoke "extend8") "out of bounds memory access")
