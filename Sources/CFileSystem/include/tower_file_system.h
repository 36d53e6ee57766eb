// File-system calls Swift's Glibc module does not expose.
#ifndef TOWER_FILE_SYSTEM_H
#define TOWER_FILE_SYSTEM_H

/// Atomically exchanges the directory entries `a` and `b` (Linux renameat2 with RENAME_EXCHANGE):
/// both names exist before and after, and no reader ever sees either missing. Returns 0, or -1
/// with errno set (ENOSYS/EINVAL where the kernel or file system cannot exchange, ENOENT, ...).
int tower_rename_exchange(const char *a, const char *b);

#endif
