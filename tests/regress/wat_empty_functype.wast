;; An empty function type used as a block type: the WAT encoder computed
;; NULL + 0 for its result types (UB that clang's UBSan reports; found by
;; fuzz_wat).
(module
  (type $sig (func))
  (func (export "f") (loop (type $sig) (nop)))
)
(assert_return (invoke "f"))
