;; A first module: two exported functions and a memory holding a greeting.
(module $sample
  (memory (export "memory") 1)
  (data (i32.const 16) "hello, ferry\n")

  ;; add two integers
  (func $add (export "add") (param $a i32) (param $b i32) (result i32)
    (i32.add (local.get $a) (local.get $b)))

  ;; n! by a loop, in 64-bit arithmetic
  (func $fact (export "fact") (param $n i64) (result i64)
    (local $acc i64)
    (local.set $acc (i64.const 1))
    (block $done
      (loop $next
        (br_if $done (i64.le_u (local.get $n) (i64.const 1)))
        (local.set $acc (i64.mul (local.get $acc) (local.get $n)))
        (local.set $n (i64.sub (local.get $n) (i64.const 1)))
        (br $next)))
    (local.get $acc)))
