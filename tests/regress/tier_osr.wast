;; On-stack replacement (RT_ENGINE_TIERED): an interpreted activation moves
;; into compiled code at a loop back-edge, taking its locals from the
;; interpreter's frame. `make regress` runs this with `--engine interp,tier`,
;; where every back-edge taken in interpreted code enters compiled code, so
;; each function here switches engines in the middle of running.

(module
  (memory 1)
  (table 2 funcref)
  (elem (i32.const 0) $id $twice)
  (type $unop (func (param i32) (result i32)))
  (func $id (param i32) (result i32) (local.get 0))
  (func $twice (param i32) (result i32) (i32.add (local.get 0) (local.get 0)))

  ;; Locals of every type, and parameters, survive the move.
  (func (export "all_types") (param $n i32) (param $x i64) (result f64)
    (local $i i32) (local $f f32) (local $d f64) (local $v v128)
    (local $r funcref) (local $e externref)
    (local.set $f (f32.const 0.5))
    (local.set $d (f64.const -1.25))
    (local.set $v (v128.const i32x4 1 2 3 4))
    (local.set $r (ref.func $twice))
    (loop $l
      (local.set $x (i64.add (local.get $x) (i64.extend_i32_u (local.get $i))))
      (local.set $f (f32.mul (local.get $f) (f32.const 2)))
      (local.set $d (f64.add (local.get $d) (f64.promote_f32 (local.get $f))))
      (local.set $v (i32x4.add (local.get $v) (local.get $v)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (f64.add
      (f64.add (local.get $d) (f64.convert_i64_s (local.get $x)))
      (f64.add
        (f64.convert_i32_s (i32x4.extract_lane 3 (local.get $v)))
        (f64.add
          (f64.convert_i32_s (i32.and (ref.is_null (local.get $e)) (i32.const 1)))
          (f64.convert_i32_s (ref.is_null (local.get $r)))))))

  ;; Nested loops inside a block and an if; the outer loop's back-edge comes
  ;; after the inner one already moved the frame.
  (func (export "nested") (param $n i32) (result i32)
    (local $i i32) (local $j i32) (local $s i32)
    (block $out
      (if (i32.gt_s (local.get $n) (i32.const 0))
        (then
          (loop $outer
            (local.set $j (i32.const 0))
            (loop $inner
              (local.set $s (i32.add (local.get $s)
                (i32.mul (local.get $i) (local.get $j))))
              (local.set $j (i32.add (local.get $j) (i32.const 1)))
              (br_if $inner (i32.lt_s (local.get $j) (local.get $n))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $out (i32.ge_s (local.get $i) (local.get $n)))
            (br $outer)))))
    (local.get $s))

  ;; A loop entered with a value under it is not an entry point: it must
  ;; keep running interpreted, correctly.
  (func (export "under_value") (param $n i32) (result i32)
    (local $i i32)
    (i32.const 1000)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (i32.add (local.get $i)))

  ;; A loop with a parameter is not one either.
  (func (export "loop_param") (param $n i32) (result i32)
    (i32.const 0)
    (loop $l (param i32) (result i32)
      (i32.add (i32.const 3))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br_if $l (i32.gt_s (local.get 0) (i32.const 0)))))

  ;; Several results, memory, calls and call_indirect after the move.
  (func (export "multi") (param $n i32) (result i32 i64 i32)
    (local $i i32) (local $acc i64)
    (loop $l
      (i32.store (i32.mul (local.get $i) (i32.const 4))
        (call_indirect (type $unop) (local.get $i)
          (i32.and (local.get $i) (i32.const 1))))
      (local.set $acc (i64.add (local.get $acc)
        (i64.load32_u (i32.mul (local.get $i) (i32.const 4)))))
      (local.set $i (call $id (i32.add (local.get $i) (i32.const 1))))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $i) (local.get $acc) (memory.grow (i32.const 1)))

  ;; A trap in compiled code reached through the move.
  (func (export "trap_after") (param $n i32) (result i32)
    (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (drop (i32.div_u (i32.const 1) (i32.sub (local.get $n) (local.get $i))))
      (br $l))
    (local.get $i))

  ;; Recursion from a moved frame: inner activations start interpreted and
  ;; move in turn.
  (func $sum (export "sum") (param $n i32) (result i64)
    (local $i i32) (local $s i64)
    (if (i32.eqz (local.get $n)) (then (return (i64.const 0))))
    (loop $l
      (local.set $s (i64.add (local.get $s) (i64.extend_i32_u (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (i64.add (local.get $s) (call $sum (i32.sub (local.get $n) (i32.const 1)))))
)

(assert_return (invoke "all_types" (i32.const 10) (i64.const 7)) (f64.const 5170.75))
(assert_return (invoke "all_types" (i32.const 1) (i64.const -3)) (f64.const 5.75))
(assert_return (invoke "nested" (i32.const 12)) (i32.const 4356))
(assert_return (invoke "nested" (i32.const 0)) (i32.const 0))
(assert_return (invoke "under_value" (i32.const 50)) (i32.const 1050))
(assert_return (invoke "loop_param" (i32.const 5)) (i32.const 15))
(assert_return (invoke "multi" (i32.const 9))
  (i32.const 9) (i64.const 52) (i32.const 1))
(assert_trap (invoke "trap_after" (i32.const 6)) "integer divide by zero")
(assert_return (invoke "sum" (i32.const 30)) (i64.const 4495))
