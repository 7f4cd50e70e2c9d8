;; AOT: a value left pending as a C expression may read stack slots above
;; its own height (here `s0 ^ s1`, the call's result in s1); the emitter
;; reused s1 for a later value (the first load, evaluated early to keep the
;; two loads' trap order) before the pending value was used. Found by
;; fuzz_diff.
(module
  (memory 1)
  (data (i32.const 0) "\07\00\00\00\09\00\00\00\0b\00\00\00")
  (func $seven (result i32) (i32.const 7))
  (func (export "f") (result i32)
    (i32.const 2) (call $seven) (i32.xor)
    (i32.load (i32.const 4)) (i32.load (i32.const 8)) (i32.add)
    (i32.add)))
(assert_return (invoke "f") (i32.const 25))
