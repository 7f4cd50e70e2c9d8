;; AOT: TCC folds `x % 1`, `x & 0`, `x * 0`, `x | -1`, `0 << x`, `0 >> x`
;; and `-1 >> x` to the constant and drops x, so an out-of-bounds load
;; embedded as x never trapped. Trapping operands of those operators are
;; now materialized first. Found by fuzz_diff.
(module
  (memory 1)
  (func (export "rem") (result i32)
    (i32.rem_u (i32.load (i32.const 65535)) (i32.const 1)))
  (func (export "and") (result i64)
    (i64.and (i64.load (i32.const 65535)) (i64.const 0)))
  (func (export "mul") (param i32) (result i32)
    ;; `l0 & 0` is a constant only to TCC
    (i32.mul (i32.load (i32.const 65535)) (i32.and (local.get 0) (i32.const 0))))
  (func (export "or") (result i32)
    (i32.or (i32.load (i32.const 65535)) (i32.const -1)))
  (func (export "shl") (result i32)
    (i32.shl (i32.const 0) (i32.load (i32.const 65535))))
  (func (export "shr_s") (result i32)
    (i32.shr_s (i32.const -1) (i32.load (i32.const 65535)))))
(assert_trap (invoke "rem") "out of bounds memory access")
(assert_trap (invoke "and") "out of bounds memory access")
(assert_trap (invoke "mul" (i32.const 5)) "out of bounds memory access")
(assert_trap (invoke "or") "out of bounds memory access")
(assert_trap (invoke "shl") "out of bounds memory access")
(assert_trap (invoke "shr_s") "out of bounds memory access")
