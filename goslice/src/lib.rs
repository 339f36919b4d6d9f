//! goslice — Go slices (chapter 1). Work in progress (issue 2).
