//! The clientcookie test site (being built in its own worktree).
