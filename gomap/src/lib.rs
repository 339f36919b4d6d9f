//! gomap — Go's classic bucket map (chapter 2). Work in progress (issue 3).
#![forbid(unsafe_code)]
