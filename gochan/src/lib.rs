//! gochan — Go channels and select (chapter 3). Work in progress (issue 5).
