;; AOT: a value that may trap (here i32.rem_s by zero) stayed pending as a
;; C expression while a later, independent trapping value (a trunc of NaN)
;; was evaluated into its slot first: aot_order_operands only ordered a
;; consumer's own operands. Wasm traps in stack order, so the emitter now
;; evaluates every pending trapping value below an entry that may trap
;; before building it. Found by fuzz_diff.
(module
  (func (export "f") (param i32) (result i32)
    (i32.rem_s (i32.const 7) (local.get 0))
    ;; ordering these two operands evaluated the first trunc early
    (i32.add (i32.trunc_f32_u (f32.const nan)) (i32.trunc_f32_u (f32.const 1)))
    (i32.add)))
(assert_trap (invoke "f" (i32.const 0)) "integer divide by zero")
(assert_trap (invoke "f" (i32.const 1)) "invalid conversion to integer")
