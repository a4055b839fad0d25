; a module with no functions
@x = global i32 0
