define i32 @f(i32 %x) {
entry:
  %c = icmp eq i32 %x, 0
  br i1 %c, label %a, label %join
a:
  %y = add i32 %x, 1
  br label %join
join:
  %p = phi i32 [ 0, %entry ], [ %y, %a ]
  ret i32 %p
}

declare i32 @g(i32)
