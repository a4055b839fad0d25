; Parses, but the verifier rejects it: %y is used before it is defined.
define i32 @main() {
entry:
  %x = add i32 %y, 1
  %y = add i32 %x, 1
  ret i32 %x
}
