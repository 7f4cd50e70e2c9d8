;; AOT: TCC miscompiles `(c ? K : K) ? x : y` (a select on a select with
;; equal constant arms), using garbage for the inner ternary, and folds
;; away a trapping condition of `c ? K : K`. The emitter now folds selects
;; with equal atom arms or a constant condition, still evaluating a
;; condition that may trap, and a select result (where TCC may see equal
;; arms the emitter does not) is materialized before it is a condition.
;; Found by fuzz_diff.
(module
  (memory 1)
  (func (export "nested") (param i32) (result i32)
    (select (i32.const 5) (i32.const 8)
      (select (i32.const 0) (i32.const 0) (local.get 0))))
  (func (export "nested_f32") (param i32) (result f32)
    (select (f32.const 1.5) (f32.const -1)
      (select (i32.const 0) (i32.const 0) (local.get 0))))
  (func (export "folded_by_tcc") (param i32 i32) (result i32)
    ;; arms equal only once TCC folds `l0 & 0u`
    (select (i32.const 5) (i32.const 8)
      (select (i32.const 0) (i32.and (local.get 0) (i32.const 0)) (local.get 1))))
  (func (export "const_cond") (param i32) (result i32)
    (select (local.get 0) (i32.const 9) (i32.const 0)))
  (func (export "trap_cond") (result i32)
    (select (i32.const 3) (i32.const 3) (i32.load (i32.const 65535))))
  (func (export "div_cond") (param i32) (result i32)
    (select (local.get 0) (i32.const 4)
      (select (i32.const 0) (i32.const 0)
        (i32.div_u (i32.const 1) (local.get 0))))))
(assert_return (invoke "nested" (i32.const 0)) (i32.const 8))
(assert_return (invoke "nested" (i32.const 1)) (i32.const 8))
(assert_return (invoke "nested_f32" (i32.const 1)) (f32.const -1))
(assert_return (invoke "folded_by_tcc" (i32.const 3) (i32.const 0)) (i32.const 8))
(assert_return (invoke "folded_by_tcc" (i32.const 3) (i32.const 1)) (i32.const 8))
(assert_return (invoke "const_cond" (i32.const 7)) (i32.const 9))
(assert_trap (invoke "trap_cond") "out of bounds memory access")
(assert_trap (invoke "div_cond" (i32.const 0)) "integer divide by zero")
(assert_return (invoke "div_cond" (i32.const 2)) (i32.const 4))
