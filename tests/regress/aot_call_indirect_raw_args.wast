;; AOT: call_indirect to a function of another instance (the raw-entry
;; branch) passed the arguments with the types and names of the results of
;; the same-instance branch emitted just before it. Found by fuzz_diff.
(module $A
  (func (export "f") (param f32 i64 f64) (result f64 f32)
    (f64.add (local.get 2) (f64.convert_i64_s (local.get 1)))
    (local.get 0)))
(register "A" $A)
(module
  (type $t (func (param f32 i64 f64) (result f64 f32)))
  (import "A" "f" (func $f (type $t)))
  (table funcref (elem $f))
  (func (export "go") (param f32 i64 f64) (result f64 f32)
    (call_indirect (type $t) (local.get 0) (local.get 1) (local.get 2) (i32.const 0))))
(assert_return (invoke "go" (f32.const 1.5) (i64.const 2) (f64.const 0.25))
  (f64.const 2.25) (f32.const 1.5))
