;; A line comment ends at a lone CR too (comments.wast, f2): the
;; lexer used to run on to the next LF and swallow the return.
(module
  (func (export "f") (result i32)
    (i32.const 1) ;; comment    (return (i32.const 2))
  )
)
(assert_return (invoke "f") (i32.const 2))
